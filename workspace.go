package helpium

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// Workspace is one business using Helpium: its widget key, widget look and
// business hours. Every other record belongs to exactly one workspace.
type Workspace struct {
	ID            string
	Name          string
	APIKey        string
	Widget        WidgetConfig
	BusinessHours BusinessHours
	// IdentitySecret signs customer identities: user_hash is the hex
	// HMAC-SHA256 of the lower-cased email under this secret.
	IdentitySecret              string
	RequireIdentityVerification bool
	// RateLimits override the default Customer API limits.
	RateLimits RateLimits
	// AttachmentLimits bound the files customers and agents send.
	AttachmentLimits AttachmentLimits
	// AwayEmail says whether and when customers get agents' replies by
	// email once their widget is closed.
	AwayEmail AwayEmail
	// AllowedOrigins are the browser origins that may use the widget key
	// (canonical, see NormalizeOrigin); empty means any.
	AllowedOrigins []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WidgetPosition is the corner of the page the widget launcher sits in.
type WidgetPosition string

// Widget positions.
const (
	PositionBottomRight WidgetPosition = "bottom-right"
	PositionBottomLeft  WidgetPosition = "bottom-left"
)

// WidgetColors are the widget's colours as #rrggbb strings.
type WidgetColors struct {
	Primary    string `json:"primary"`
	Background string `json:"background"`
	Text       string `json:"text"`
}

// WidgetConfig is how the widget looks and greets customers.
type WidgetConfig struct {
	Colors       WidgetColors   `json:"colors"`
	Position     WidgetPosition `json:"position"`
	Greeting     string         `json:"greeting"`
	LauncherText string         `json:"launcher_text"`
	Locale       string         `json:"locale"`
}

// DefaultWidgetConfig returns the settings a new workspace starts with.
func DefaultWidgetConfig() WidgetConfig {
	return WidgetConfig{
		Colors:       WidgetColors{Primary: "#2563eb", Background: "#ffffff", Text: "#111827"},
		Position:     PositionBottomRight,
		Greeting:     "Hi! How can we help?",
		LauncherText: "Help",
		Locale:       "en",
	}
}

var (
	colorPattern  = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// Validate reports the first invalid field of s, as an EInvalid error.
func (s WidgetConfig) Validate() error {
	for _, c := range []struct{ field, value string }{
		{"colors.primary", s.Colors.Primary},
		{"colors.background", s.Colors.Background},
		{"colors.text", s.Colors.Text},
	} {
		if !colorPattern.MatchString(c.value) {
			return Invalid(c.field, "%s must be a colour like #1a2b3c", c.field)
		}
	}
	if s.Position != PositionBottomRight && s.Position != PositionBottomLeft {
		return Invalid("position", "position must be bottom-right or bottom-left")
	}
	if err := CheckText("greeting", s.Greeting, 500, false); err != nil {
		return err
	}
	if err := CheckText("launcherText", s.LauncherText, 40, false); err != nil {
		return err
	}
	if !localePattern.MatchString(s.Locale) {
		return Invalid("locale", "locale must be a language tag like en or pt-BR")
	}
	return nil
}

// WidgetSettings is what the widget needs at start-up: its settings and whether
// the team is open now.
type WidgetSettings struct {
	WidgetConfig
	BusinessHours BusinessHoursView `json:"business_hours"`
	// Attachments are the workspace's effective attachment limits, so the
	// widget can refuse a file before uploading it.
	Attachments AttachmentLimits `json:"attachments"`
}

// BusinessHoursView is the business-hours state as the widget shows it.
type BusinessHoursView struct {
	Timezone           string     `json:"timezone"`
	IsOpen             bool       `json:"is_open"`
	NextChangeAt       *time.Time `json:"next_change_at"`
	OutOfOfficeMessage *string    `json:"out_of_office_message"`
}

// CheckText validates a free-text field: valid UTF-8, no NUL, at most max
// characters and, when required, not blank.
func CheckText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "%s must be valid UTF-8", field)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return Invalid(field, "%s must not contain NUL characters", field)
		}
	}
	if required && isBlank(s) {
		return Invalid(field, "%s is required", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, "%s must be at most %d characters (got %d)", field, max, n)
	}
	return nil
}

// WidgetSettingsPatch changes some widget settings; nil fields keep their value.
type WidgetSettingsPatch struct {
	Colors       *WidgetColorsPatch
	Position     *WidgetPosition
	Greeting     *string
	LauncherText *string
	Locale       *string
}

// WidgetColorsPatch changes some widget colours.
type WidgetColorsPatch struct {
	Primary, Background, Text *string
}

// Apply returns s with the patch applied.
func (p WidgetSettingsPatch) Apply(s WidgetConfig) WidgetConfig {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if c := p.Colors; c != nil {
		set(&s.Colors.Primary, c.Primary)
		set(&s.Colors.Background, c.Background)
		set(&s.Colors.Text, c.Text)
	}
	if p.Position != nil {
		s.Position = *p.Position
	}
	set(&s.Greeting, p.Greeting)
	set(&s.LauncherText, p.LauncherText)
	set(&s.Locale, p.Locale)
	return s
}
