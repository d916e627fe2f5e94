package graph

import (
	"context"
	"time"

	"github.com/helpium/helpium"
)

type cookieSessionKey struct{}

// CookieSession is how the HTTP transport keeps a browser session in an
// HttpOnly cookie: Set stores a session's token (an empty token clears
// it).
type CookieSession struct {
	Set func(token string, expires time.Time)
}

// WithCookieSession marks a request as one whose session lives in a
// cookie: login sets it there, and answers without the token; logout
// clears it.
func WithCookieSession(ctx context.Context, cs *CookieSession) context.Context {
	return context.WithValue(ctx, cookieSessionKey{}, cs)
}

// inCookie hands a new session to the request's cookie, if it keeps one,
// and returns what the payload may show.
func inCookie(ctx context.Context, s *helpium.Session) *helpium.Session {
	cs, _ := ctx.Value(cookieSessionKey{}).(*CookieSession)
	if cs == nil || s == nil {
		return s
	}
	cs.Set(s.Token, s.ExpiresAt)
	shown := *s
	shown.Token = ""
	return &shown
}

// clearCookie ends the request's cookie session, if it keeps one.
func clearCookie(ctx context.Context) {
	if cs, _ := ctx.Value(cookieSessionKey{}).(*CookieSession); cs != nil {
		cs.Set("", time.Time{})
	}
}
