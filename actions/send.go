package actions

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Response is what Send read of an answer: its status and the start of its
// body.
type Response struct {
	Status int
	Body   []byte // at most the maxBody bytes asked for
}

// Send makes one request to a customer's system (a webhook receiver) under
// the same rules as actions: https and public addresses only (but for
// Config.AllowHTTPHosts), checked on the address dialled. It follows no
// redirect (a 3xx is the answer), gives up after timeout, and reads at most
// maxBody bytes of the answer. Its errors are safe to show: they name the
// host, never what it resolved to.
func (e *Executor) Send(ctx context.Context, method, rawURL string, header http.Header, body []byte, timeout time.Duration, maxBody int64) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !e.schemeAllowed(u) {
		return nil, errors.New("Refused: the URL must be https.")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header.Clone()
	client := &http.Client{
		Transport:     e.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, errors.New(describe(err, "", timeout))
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return &Response{Status: res.StatusCode, Body: out}, nil
}
