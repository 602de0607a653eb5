package llm

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// SampleOptions choose the next token. The zero value is greedy decoding.
type SampleOptions struct {
	Temperature   float32 // 0 = greedy
	TopK          int     // 0 = off
	TopP          float32 // 0 or 1 = off
	MinP          float32 // 0 = off
	RepeatPenalty float32 // 0 or 1 = off
	RepeatLastN   int     // tokens the penalties look back over, prompt included; 0 = 64
	Seed          int64   // < 0 = random
	// FrequencyPenalty and PresencePenalty lower the logit of a token
	// already among the last RepeatLastN tokens by the penalty times its
	// count, or once; -2 to 2, 0 = off.
	FrequencyPenalty float32
	PresencePenalty  float32
	// LogitBias is added to the logits of the tokens it names before any
	// other step; math.Inf(-1) bans a token.
	LogitBias map[int32]float32
	// Grammar is a GBNF grammar (root rule "root") that the generated
	// text must follow; "" = none.
	Grammar string
}

// Validate reports settings outside their ranges.
func (o SampleOptions) Validate() error {
	switch {
	case o.Temperature < 0 || o.Temperature > 100 || isNaN(o.Temperature):
		return fmt.Errorf("temperature %v: want 0 to 100", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("top-k %d: want 0 or more", o.TopK)
	case o.TopP < 0 || o.TopP > 1 || isNaN(o.TopP):
		return fmt.Errorf("top-p %v: want 0 to 1", o.TopP)
	case o.MinP < 0 || o.MinP > 1 || isNaN(o.MinP):
		return fmt.Errorf("min-p %v: want 0 to 1", o.MinP)
	case o.RepeatPenalty < 0 || o.RepeatPenalty > 10 || isNaN(o.RepeatPenalty):
		return fmt.Errorf("repeat penalty %v: want 0 to 10", o.RepeatPenalty)
	case o.RepeatLastN < 0:
		return fmt.Errorf("repeat-last-n %d: want 0 or more", o.RepeatLastN)
	case o.FrequencyPenalty < -2 || o.FrequencyPenalty > 2 || isNaN(o.FrequencyPenalty):
		return fmt.Errorf("frequency penalty %v: want -2 to 2", o.FrequencyPenalty)
	case o.PresencePenalty < -2 || o.PresencePenalty > 2 || isNaN(o.PresencePenalty):
		return fmt.Errorf("presence penalty %v: want -2 to 2", o.PresencePenalty)
	case o.Seed > math.MaxUint32-1:
		return fmt.Errorf("seed %d: want below %d", o.Seed, uint32(math.MaxUint32))
	}
	return nil
}

func isNaN(f float32) bool { return f != f }

// GenerateOptions control one generation.
type GenerateOptions struct {
	SampleOptions
	MaxTokens int      // tokens to generate at most; 0 = until the context is full
	Stop      []string // generation ends before the first of these
	// OnPiece receives the text as it is generated. Pieces never end inside
	// a multi-byte character or a possible stop string. An error from it
	// ends generation and is returned.
	OnPiece func(text string) error
	// LogProbs asks for Generation.LogProbs, with TopLogProbs (0 to
	// MaxTopLogProbs) most likely alternatives per token.
	LogProbs    bool
	TopLogProbs int
}

// MaxTopLogProbs bounds GenerateOptions.TopLogProbs.
const MaxTopLogProbs = 20

// Validate reports options outside their ranges.
func (o GenerateOptions) Validate() error {
	if err := o.SampleOptions.Validate(); err != nil {
		return err
	}
	if o.TopLogProbs < 0 || o.TopLogProbs > MaxTopLogProbs {
		return fmt.Errorf("top logprobs %d: want 0 to %d", o.TopLogProbs, MaxTopLogProbs)
	}
	if o.MaxTokens < 0 {
		return fmt.Errorf("max tokens %d: want 0 (no limit) or more", o.MaxTokens)
	}
	for _, s := range o.Stop {
		if s == "" {
			return errors.New("empty stop string")
		}
	}
	return nil
}

// Finish reasons of a Generation.
const (
	FinishStop      = "stop"      // end-of-generation token or a stop string
	FinishLength    = "length"    // MaxTokens or the context was reached
	FinishCancelled = "cancelled" // the context.Context was cancelled
)

// Generation is the result of one generation.
type Generation struct {
	Text             string
	FinishReason     string
	PromptTokens     int
	CompletionTokens int
	Timings          Timings
	// LogProbs has one entry per generated token (the end-of-generation
	// token excluded) when GenerateOptions.LogProbs asked for them.
	LogProbs []TokenLogProb
}

// TokenProb is a token with its log-probability under the model: the
// softmax of the raw logits, before penalties, bias, grammar or
// temperature change them.
type TokenProb struct {
	Token   int32
	Piece   []byte // the token's text; may be part of a multi-byte character
	LogProb float64
}

// TokenLogProb is a generated token and the most likely alternatives at
// its position, most likely first.
type TokenLogProb struct {
	TokenProb
	Top []TokenProb
}

// Timings of one generation.
type Timings struct {
	TTFT      time.Duration // from the call to the first sampled token
	Prompt    time.Duration // decoding the prompt
	Gen       time.Duration // from the first sampled token to the end
	PromptTPS float64       // prompt tokens per second
	GenTPS    float64       // generated tokens per second after the first
}

// Score is the log-likelihood of a continuation.
type Score struct {
	LogProb float64 // sum of natural-log probabilities of the continuation's tokens
	Tokens  int     // continuation tokens scored
}

// Perplexity of a text.
type Perplexity struct {
	MeanNLL float64 // mean negative log-likelihood per token, in nats
	PPL     float64 // exp(MeanNLL)
	Tokens  int     // tokens scored
}
