// Package chromium finds Debian's Chromium and starts it headless the one
// way the browser tests and the benchmark need: sandbox off, no first-run,
// no background traffic, a fresh profile.
package chromium

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/chromedp/chromedp"
)

// Find returns $HELPIUM_CHROMIUM, or Debian's chromium on the PATH.
func Find() (string, error) {
	if p := os.Getenv("HELPIUM_CHROMIUM"); p != "" {
		return p, nil
	}
	return exec.LookPath("chromium")
}

// FindOrInstall is Find, installing Debian's chromium package with apt-get
// when it is missing. It never downloads a browser from anywhere else.
func FindOrInstall() (string, error) {
	if p, err := Find(); err == nil {
		return p, nil
	}
	fmt.Fprintln(os.Stderr, "chromium is missing; installing Debian's chromium package with apt-get")
	sudo := []string{}
	if os.Geteuid() != 0 {
		sudo = []string{"sudo", "-n"}
	}
	for _, args := range [][]string{{"apt-get", "update", "-q"}, {"apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"}} {
		cmd := exec.Command(append(sudo, args...)[0], append(sudo, args...)[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s: %w (install chromium yourself, or set HELPIUM_CHROMIUM)", strings.Join(args, " "), err)
		}
	}
	return exec.LookPath("chromium")
}

// Options are the allocator options for headless Chromium at path, with a
// fresh profile in userDataDir and a window of width × height.
func Options(path, userDataDir string, width, height int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(width, height),
	}
}
