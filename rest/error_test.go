package rest

import (
	"testing"

	"github.com/helpium/helpium"
)

func TestEnvelopeSpellsFieldsInSnakeCase(t *testing.T) {
	tests := []struct {
		err            error
		field, message string
	}{
		{helpium.Invalid("installationId", "installationId must be 16 to 128 characters"), "installation_id", "installation_id must be 16 to 128 characters"},
		{helpium.Invalid("clientMessageId", "clientMessageId is required"), "client_message_id", "client_message_id is required"},
		{helpium.Invalid("ranges[2].end", "end must differ from start"), "ranges[2].end", "end must differ from start"},
		{helpium.Invalid("businessHours.outOfOfficeMessage", "outOfOfficeMessage is too long"), "business_hours.out_of_office_message", "out_of_office_message is too long"},
		{helpium.Invalid("X-Widget-Token", "the X-Widget-Token header is required"), "X-Widget-Token", "the X-Widget-Token header is required"},
		// Only whole words of the field are respelled.
		{helpium.Invalid("widgetToken", "widgetTokens and widgetToken differ"), "widget_token", "widgetTokens and widget_token differ"},
		{helpium.Errorf(helpium.ENotFound, "Conversation not found."), "", "Conversation not found."},
	}
	for _, tt := range tests {
		env := NewEnvelope(tt.err)
		if env.Error.Field != tt.field || env.Error.Message != tt.message {
			t.Errorf("%v: field %q message %q, want %q %q", tt.err, env.Error.Field, env.Error.Message, tt.field, tt.message)
		}
	}
}
