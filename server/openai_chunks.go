package server

import (
	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// chunker shapes OpenAI response objects for one request: the whole
// answer, or its streamed chunks.
type chunker struct {
	id, object, model string
	created           int64
	chat              bool
	index             int // of the choice being generated
	sentRole          bool
	pieces            *template // of the streamed chunks once the chat role went out
}

// next starts choice i: its chunks carry a new index.
func (ch *chunker) next(i int) {
	ch.index, ch.pieces = i, nil
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
		return gin.H{"index": ch.index, "text": text, "logprobs": nil, "finish_reason": finish}
	}
	delta := gin.H{}
	if !ch.sentRole {
		delta["role"] = "assistant"
		ch.sentRole = true
	}
	if text != "" || finish == nil {
		delta["content"] = text
	}
	return gin.H{"index": ch.index, "delta": delta, "logprobs": nil, "finish_reason": finish}
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
func (ch *chunker) usage(u usage) gin.H {
	out := ch.envelope(ch.chunkObject(), []gin.H{})
	out["usage"] = u
	return out
}

// choiceOf is the whole choice of the current index: text is what the
// client sees, the generation's text after offset bytes of echoed prompt.
func (ch *chunker) choiceOf(text string, g *llm.Generation, offset int) gin.H {
	var logprobs any // null unless asked for
	if ch.chat {
		if g.LogProbs != nil {
			logprobs = chatLogProbs(g.LogProbs)
		}
		return gin.H{"index": ch.index, "message": gin.H{"role": "assistant", "content": text}, "logprobs": logprobs, "finish_reason": g.FinishReason}
	}
	if g.LogProbs != nil {
		logprobs = completionLogProbs(g.LogProbs, offset)
	}
	return gin.H{"index": ch.index, "text": text, "logprobs": logprobs, "finish_reason": g.FinishReason}
}

func (ch *chunker) final(choices []gin.H, u usage) gin.H {
	out := ch.envelope(ch.object, choices)
	out["usage"] = u
	return out
}

// completionLogProbs is the legacy completions shape: parallel lists of
// the generated tokens, their log-probabilities, their top alternatives
// and their byte offsets in the choice's text. An echoed prompt's tokens
// are not listed: offsets start after it.
func completionLogProbs(lps []llm.TokenLogProb, offset int) gin.H {
	tokens, lp := make([]string, len(lps)), make([]float64, len(lps))
	top, offsets := make([]map[string]float64, len(lps)), make([]int, len(lps))
	for i, t := range lps {
		tokens[i], lp[i], offsets[i] = string(t.Piece), t.LogProb, offset
		offset += len(t.Piece)
		top[i] = make(map[string]float64, len(t.Top))
		for _, a := range t.Top {
			top[i][string(a.Piece)] = a.LogProb
		}
	}
	return gin.H{"tokens": tokens, "token_logprobs": lp, "top_logprobs": top, "text_offset": offsets}
}

// chatLogProbs is the chat shape: one entry per token with its bytes and
// top alternatives.
func chatLogProbs(lps []llm.TokenLogProb) gin.H {
	content := make([]gin.H, len(lps))
	for i, t := range lps {
		top := make([]gin.H, len(t.Top))
		for j, a := range t.Top {
			top[j] = openaiTokenProb(a)
		}
		e := openaiTokenProb(t.TokenProb)
		e["top_logprobs"] = top
		content[i] = e
	}
	return gin.H{"content": content, "refusal": nil}
}

func openaiTokenProb(p llm.TokenProb) gin.H {
	return gin.H{"token": string(p.Piece), "logprob": p.LogProb, "bytes": newTokenProb(p).Bytes}
}
