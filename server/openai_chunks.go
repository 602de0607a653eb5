package server

import (
	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// chunker shapes OpenAI response objects for one completion: the whole
// answer, or its streamed chunks.
type chunker struct {
	id, object, model string
	created           int64
	chat              bool
	sentRole          bool
	pieces            *template // of the streamed chunks once the chat role went out
}

func (ch *chunker) envelope(object string, choices []gin.H) gin.H {
	return gin.H{"id": ch.id, "object": object, "created": ch.created, "model": ch.model, "choices": choices}
}

func (ch *chunker) chunkObject() string {
	if ch.chat {
		return "chat.completion.chunk"
	}
	return ch.object
}

// choice is one streamed choice; finish is nil until the last chunk.
func (ch *chunker) choice(text string, finish any) gin.H {
	if !ch.chat {
		return gin.H{"index": 0, "text": text, "logprobs": nil, "finish_reason": finish}
	}
	delta := gin.H{}
	if !ch.sentRole {
		delta["role"] = "assistant"
		ch.sentRole = true
	}
	if text != "" || finish == nil {
		delta["content"] = text
	}
	return gin.H{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}
}

// pieceTemplate returns the template of the next streamed chunk. The first
// chat chunk carries the role; all later ones have one shape, encoded once.
func (ch *chunker) pieceTemplate() (*template, error) {
	if ch.pieces != nil {
		return ch.pieces, nil
	}
	first := ch.chat && !ch.sentRole
	t, err := newTemplate(ch.envelope(ch.chunkObject(), []gin.H{ch.choice(hole, nil)}))
	if err == nil && !first {
		ch.pieces = t
	}
	return t, err
}

func (ch *chunker) finish(reason string) gin.H {
	return ch.envelope(ch.chunkObject(), []gin.H{ch.choice("", reason)})
}

// usage is the extra last chunk asked for by stream_options.include_usage.
func (ch *chunker) usage(g *llm.Generation) gin.H {
	out := ch.envelope(ch.chunkObject(), []gin.H{})
	out["usage"] = usageOf(g)
	return out
}

func (ch *chunker) final(g *llm.Generation) gin.H {
	var choice gin.H
	if ch.chat {
		choice = gin.H{"index": 0, "message": gin.H{"role": "assistant", "content": g.Text}, "logprobs": nil, "finish_reason": g.FinishReason}
	} else {
		choice = gin.H{"index": 0, "text": g.Text, "logprobs": nil, "finish_reason": g.FinishReason}
	}
	out := ch.envelope(ch.object, []gin.H{choice})
	out["usage"] = usageOf(g)
	return out
}
