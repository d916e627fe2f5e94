// Package bundle builds the widget's single script, dist/widget.js, from
// the ES modules in widget/src with esbuild: bundled into one IIFE,
// minified, CSS imported as minified text. The output is committed so that
// serving the widget needs no JavaScript tooling; `make widget` rebuilds it
// and a test fails when the committed file is stale.
package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Banner heads the built file.
const Banner = "/*! Helpium chat widget. Built from widget/src by `make widget`; do not edit. */"

// Build bundles widgetDir/src/index.js and returns the script.
func Build(widgetDir string) ([]byte, error) {
	abs, err := filepath.Abs(widgetDir)
	if err != nil {
		return nil, err
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     abs,
		EntryPoints:       []string{filepath.Join("src", "index.js")},
		Bundle:            true,
		Write:             false,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsNone,
		Charset:           api.CharsetUTF8,
		Banner:            map[string]string{"js": Banner},
		Outfile:           "widget.js",
		LogLevel:          api.LogLevelSilent,
		Plugins:           []api.Plugin{cssText},
	})
	if err := messagesError(res.Errors); err != nil {
		return nil, err
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("bundle: esbuild wrote %d files, want 1", len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents, nil
}

// cssText makes `import CSS from './x.css'` yield the file's minified text.
var cssText = api.Plugin{
	Name: "css-text",
	Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: `\.css$`}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			src, err := os.ReadFile(args.Path)
			if err != nil {
				return api.OnLoadResult{}, err
			}
			t := api.Transform(string(src), api.TransformOptions{
				Loader:           api.LoaderCSS,
				MinifyWhitespace: true,
				MinifySyntax:     true,
				LegalComments:    api.LegalCommentsNone,
				LogLevel:         api.LogLevelSilent,
			})
			if err := messagesError(t.Errors); err != nil {
				return api.OnLoadResult{}, err
			}
			css := strings.TrimSpace(string(t.Code))
			return api.OnLoadResult{Contents: &css, Loader: api.LoaderText}, nil
		})
	},
}

func messagesError(msgs []api.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	var errs []error
	for _, m := range msgs {
		if m.Location != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%d: %s", m.Location.File, m.Location.Line, m.Location.Column, m.Text))
		} else {
			errs = append(errs, errors.New(m.Text))
		}
	}
	return errors.Join(errs...)
}
