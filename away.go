package helpium

import (
	"net/url"
	"strings"
	"time"
)

// Away emails (issue #21): when an agent replies and the customer's widget
// has been gone for a while, the customer gets the replies by email.
const (
	// DefaultAwayDelayMinutes is how long the widget must have been gone,
	// and the oldest unseen reply waiting, before the email goes.
	DefaultAwayDelayMinutes = 5
	// MaxAwayDelayMinutes is the longest delay an admin may set (a day).
	MaxAwayDelayMinutes = 24 * 60
	// AwayHorizon bounds how old a reply may be and still be emailed:
	// replies older than this (a notifier down for a week) are left alone.
	AwayHorizon = 7 * 24 * time.Hour
	// ResumeCodeTTL is how long an away email's resume link works.
	ResumeCodeTTL = 7 * 24 * time.Hour
	// ResumeParam is the query parameter of the resume link on the
	// business's page; the widget reads it and calls
	// POST /api/customer/conversations/resume.
	ResumeParam = "helpium_resume"
	// TranscriptsPerHour is how many transcripts one conversation may
	// request an hour.
	TranscriptsPerHour = 5
	// TranscriptsPerAddressPerHour is how many transcripts one address
	// gets an hour from a workspace, whatever the conversation: a caller
	// who claims someone's address in many conversations cannot flood it.
	TranscriptsPerAddressPerHour = 10
)

// AwayEmail is a workspace's setting for emailing identified customers the
// agents' replies they have not seen while their widget was closed.
type AwayEmail struct {
	Enabled bool `json:"enabled"`
	// DelayMinutes is how long the widget must have been gone and the
	// oldest unseen reply waiting; 0 means DefaultAwayDelayMinutes.
	DelayMinutes int `json:"delay_minutes,omitempty"`
	// ResumeURL is the page of the business's site where the widget runs;
	// the email links to it with ResumeParam. Empty: the email has no
	// resume link.
	ResumeURL string `json:"resume_url,omitempty"`
	// EnabledAt is when the setting was last switched on: replies written
	// before it are never emailed, so switching it on does not email every
	// customer with an old unread reply.
	EnabledAt *time.Time `json:"enabled_at,omitempty"`
}

// Effective returns a with the default delay filled in.
func (a AwayEmail) Effective() AwayEmail {
	if a.DelayMinutes <= 0 {
		a.DelayMinutes = DefaultAwayDelayMinutes
	}
	return a
}

// Delay is how long the widget must have been gone before the email goes.
func (a AwayEmail) Delay() time.Duration {
	return time.Duration(a.Effective().DelayMinutes) * time.Minute
}

// Validate checks the settings and returns them with the resume URL
// trimmed. Returns EInvalid naming delayMinutes or resumeUrl.
func (a AwayEmail) Validate() (AwayEmail, error) {
	if a.DelayMinutes < 0 || a.DelayMinutes > MaxAwayDelayMinutes {
		return a, Invalid("delayMinutes", "delayMinutes must be between 1 and %d; 0 or null means the default (%d)", MaxAwayDelayMinutes, DefaultAwayDelayMinutes)
	}
	a.ResumeURL = strings.TrimSpace(a.ResumeURL)
	if a.ResumeURL == "" {
		return a, nil
	}
	if err := CheckText("resumeUrl", a.ResumeURL, 2000, false); err != nil {
		return a, err
	}
	u, err := url.Parse(a.ResumeURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return a, Invalid("resumeUrl", "resumeUrl must be an http or https address like https://shop.example.com/help")
	}
	if u.Query().Has(ResumeParam) {
		return a, Invalid("resumeUrl", "resumeUrl must not carry the %s parameter itself", ResumeParam)
	}
	return a, nil
}

// ResumeLink returns the settings' resume page with code in ResumeParam,
// or "" when there is no resume page.
func (a AwayEmail) ResumeLink(code string) string {
	if a.ResumeURL == "" {
		return ""
	}
	u, err := url.Parse(a.ResumeURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set(ResumeParam, code)
	u.RawQuery = q.Encode()
	return u.String()
}

// ResumedConversation is a conversation reopened from an emailed link, with
// the widget token that now reaches it.
type ResumedConversation struct {
	Conversation *Conversation `json:"conversation"`
	WidgetToken  string        `json:"widget_token"`
}

// EmailSubscription is what an unsubscribe link shows: whose emails, to
// which address (partly hidden), and whether they are stopped.
type EmailSubscription struct {
	WorkspaceName string
	MaskedEmail   string
	Unsubscribed  bool
}
