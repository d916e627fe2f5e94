package service

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/ratelimit"
)

// Password guessing is slowed down three ways:
//   - per email address (known or not, so a refusal says nothing about
//     whether an account exists): after loginFreeFailures failed attempts,
//     each further failure locks the address for twice as long as the last,
//     from 1 s up to loginMaxLock; the count lives in PostgreSQL, so it
//     survives restarts and is shared by replicas, and a success clears it;
//   - per client IP: loginPerMinute attempts a minute, counted with the
//     other account operations (the rate limiter, shared through Redis
//     when configured);
//   - per process: at most argonSlots password hashes at once, so a burst
//     cannot hold more than argonSlots × 19 MiB of Argon2 memory; a GraphQL
//     request may select login once (graph.DocumentGuard).
const (
	loginFreeFailures = 5
	loginMaxLock      = 15 * time.Minute
	loginFailureReset = 24 * time.Hour
	loginPerMinute    = 20
)

// loginBackoff is how long the address is locked after its n-th failure.
func loginBackoff(n int) time.Duration {
	if n <= loginFreeFailures {
		return 0
	}
	d := time.Duration(math.Pow(2, float64(min(n-loginFreeFailures-1, 20)))) * time.Second
	return min(d, loginMaxLock)
}

// checkClientAllowed counts an attempt against the client IP's limit of
// account operations (sign-ins, password changes and resets, accepting
// invitations) and refuses it, with ETooManyRequests and its Retry-After,
// when the limit is reached.
func (s *Accounts) checkClientAllowed(ctx context.Context) error {
	ip := ClientKey(helpium.ClientIP(ctx))
	if ip == "" {
		return nil
	}
	res, err := s.limiter.Allow(ctx, "login:"+ip, ratelimit.PerMinute(loginPerMinute))
	if err != nil {
		s.log.WarnContext(ctx, "rate limiter failed; account operation admitted", "err", err)
		return nil
	}
	if !res.Allowed {
		return tooManyLogins(retryAfterSeconds(res))
	}
	return nil
}

// checkLoginAllowed refuses a sign-in attempt that a limit forbids, with
// ETooManyRequests and its Retry-After.
func (s *Accounts) checkLoginAllowed(ctx context.Context, email string) error {
	if err := s.checkClientAllowed(ctx); err != nil {
		return err
	}
	until, err := s.store.LoginLock(ctx, email)
	if err != nil {
		return err
	}
	if wait := until.Sub(s.now()); wait > 0 {
		return tooManyLogins(max(1, int(math.Ceil(wait.Seconds()))))
	}
	return nil
}

// loginFailed counts a failed attempt and locks the address when due.
func (s *Accounts) loginFailed(ctx context.Context, email string) error {
	now := s.clock()
	n, err := s.store.AddLoginFailure(ctx, email, now, loginFailureReset)
	if err != nil {
		return err
	}
	if d := loginBackoff(n); d > 0 {
		return s.store.LockLogin(ctx, email, now.Add(d))
	}
	return nil
}

func tooManyLogins(secs int) error {
	e := helpium.Errorf(helpium.ETooManyRequests, "Too many attempts. Try again in %d seconds.", secs)
	e.RetryAfter = secs
	return e
}

// loginEmail is the key of an address's failures: trimmed, lower-cased.
func loginEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// checkPasswordLimited is checkPassword holding one of the argon slots.
func (s *Accounts) checkPasswordLimited(ctx context.Context, hash, password string) (bool, error) {
	if err := s.takeArgonSlot(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.argon }()
	return checkPassword(hash, password), nil
}

// hashPasswordLimited is hashPassword holding one of the argon slots.
func (s *Accounts) hashPasswordLimited(ctx context.Context, password string) (string, error) {
	if err := s.takeArgonSlot(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.argon }()
	return hashPassword(password), nil
}

func (s *Accounts) takeArgonSlot(ctx context.Context) error {
	select {
	case s.argon <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
