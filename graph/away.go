package graph

import (
	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph/model"
)

// awayEmailFromInput converts the GraphQL input; null means 0 or "", the
// defaults.
func awayEmailFromInput(in model.AwayEmailSettingsInput) helpium.AwayEmail {
	a := helpium.AwayEmail{Enabled: in.Enabled}
	if in.DelayMinutes != nil {
		a.DelayMinutes = *in.DelayMinutes
	}
	if in.ResumeURL != nil {
		a.ResumeURL = *in.ResumeURL
	}
	return a
}

// awayEmailSettings converts effective settings for GraphQL: no resume
// page is null.
func awayEmailSettings(a helpium.AwayEmail) *model.AwayEmailSettings {
	out := &model.AwayEmailSettings{Enabled: a.Enabled, DelayMinutes: a.DelayMinutes}
	if a.ResumeURL != "" {
		out.ResumeURL = &a.ResumeURL
	}
	return out
}
