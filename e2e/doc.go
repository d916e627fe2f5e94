// Package e2e holds Helpium's end-to-end tests: the chat widget driven in a
// real headless Chromium (Debian's chromium package, installed by the test
// setup when missing) through the Chrome DevTools Protocol with chromedp.
//
// The tests carry the build tag e2e, so `go test ./...` skips them; run
// them with `make e2e`, which starts PostgreSQL and Weaviate first. Every
// step leaves a screenshot in test-artifacts/e2e/.
package e2e
