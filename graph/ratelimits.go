package graph

import (
	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph/model"
)

// rateLimitsFromInput converts the GraphQL input; null means 0, the default.
func rateLimitsFromInput(in model.RateLimitsInput) helpium.RateLimits {
	v := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return helpium.RateLimits{
		CustomerAPI:   v(in.CustomerAPIPerMinute),
		Conversations: v(in.ConversationsPerMinute),
		Messages:      v(in.MessagesPerMinute),
	}
}

func attachmentLimitsFromInput(in model.AttachmentLimitsInput) helpium.AttachmentLimits {
	v := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return helpium.AttachmentLimits{
		MaxFileBytes:            int64(v(in.MaxFileBytes)),
		MaxFilesPerMessage:      v(in.MaxFilesPerMessage),
		MaxFilesPerConversation: v(in.MaxFilesPerConversation),
		AllowedKinds:            in.AllowedKinds,
	}
}
