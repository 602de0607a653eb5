package train

import (
	"errors"
	"fmt"
	"strings"

	"github.com/codeloom/codeloom/llm"
)

// ChatML is the name of the chat template codeloom renders itself, for
// models that have none: <|im_start|>ROLE\nCONTENT<|im_end|>\n per message.
const ChatML = "chatml"

// ErrNoChatTemplate is returned for chat data when the base model has no
// chat template and none was given.
var ErrNoChatTemplate = errors.New("the base model has no chat template (tokenizer.chat_template); pass --chat-template chatml to render chats as ChatML")

// chatModel is the part of a model that renders chats; *bindings.Model
// implements it.
type chatModel interface {
	Meta(key string) string
	ApplyChatTemplate(msgs []llm.ChatMessage, addAssistant bool) (string, error)
	ApplyNamedChatTemplate(name string, msgs []llm.ChatMessage, addAssistant bool) (string, error)
}

// chatRenderer renders conversations with one template.
type chatRenderer struct {
	render func(msgs []llm.ChatMessage, addAssistant bool) (string, error)
}

// newChatRenderer picks the template: name "" is the model's own, "chatml"
// is ChatML whatever the model has, any other name one of the engine's
// built-in templates (bindings.ChatTemplates).
func newChatRenderer(tok Tokenizer, name string) (*chatRenderer, error) {
	switch name {
	case ChatML:
		return &chatRenderer{render: renderChatML}, nil
	case "":
		m, ok := tok.(chatModel)
		if !ok || m.Meta("tokenizer.chat_template") == "" {
			return nil, ErrNoChatTemplate
		}
		return &chatRenderer{render: func(msgs []llm.ChatMessage, addAssistant bool) (string, error) {
			s, err := m.ApplyChatTemplate(msgs, addAssistant)
			if err != nil {
				return "", fmt.Errorf("%w (pass --chat-template chatml to use ChatML instead)", err)
			}
			return s, nil
		}}, nil
	}
	m, ok := tok.(chatModel)
	if !ok {
		return nil, fmt.Errorf("chat template %q: the tokenizer cannot render chats", name)
	}
	return &chatRenderer{render: func(msgs []llm.ChatMessage, addAssistant bool) (string, error) {
		return m.ApplyNamedChatTemplate(name, msgs, addAssistant)
	}}, nil
}

// renderChatML renders messages as llama.cpp's "chatml" template does.
func renderChatML(msgs []llm.ChatMessage, addAssistant bool) (string, error) {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("<|im_start|>" + m.Role + "\n" + m.Content + "<|im_end|>\n")
	}
	if addAssistant {
		b.WriteString("<|im_start|>assistant\n")
	}
	return b.String(), nil
}

// segments renders a conversation and splits the text at each assistant
// reply: the reply (with the template's end of turn) is scored, everything
// else is not. The reply of message i is what the conversation through i
// adds to the conversation before it with the assistant prompt, as TRL
// finds assistant spans; a template that does not render a conversation's
// start as the start of its text cannot be split this way.
func (c *chatRenderer) segments(msgs []llm.ChatMessage) ([]segment, error) {
	var segs []segment
	done := "" // the text split so far
	for i, m := range msgs {
		if m.Role != "assistant" {
			continue
		}
		prompt, err := c.render(msgs[:i], true)
		if err != nil {
			return nil, err
		}
		full, err := c.render(msgs[:i+1], false)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(prompt, done) || !strings.HasPrefix(full, prompt) {
			return nil, fmt.Errorf("the chat template does not render message %d after the ones before it, so its reply cannot be told apart; try --chat-template chatml", i+1)
		}
		segs = append(segs, segment{prompt[len(done):], false}, segment{full[len(prompt):], true})
		done = full
	}
	all, err := c.render(msgs, false)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(all, done) {
		return nil, fmt.Errorf("the chat template renders the whole conversation differently from its parts; try --chat-template chatml")
	}
	return append(segs, segment{all[len(done):], false}), nil
}
