package main

import (
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/config"
	"github.com/helpium/helpium/llm"
)

// newActions builds the AI Actions executor and, when a model is
// configured, the chat-completions client behind AI answers.
func newActions(cfg config.Config) (*actions.Executor, *llm.Client, error) {
	ex := actions.New(actions.Config{AllowHTTPHosts: cfg.OutboundAllowHosts})
	if cfg.LLMBaseURL == "" {
		return ex, nil, nil
	}
	model, err := llm.New(llm.Config{BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey, Timeout: cfg.LLMTimeout})
	if err != nil {
		return nil, nil, err
	}
	return ex, model, nil
}
