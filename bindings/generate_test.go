package bindings

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/codeloom/codeloom/llm"
)

const storyPrompt = "Once upon a time"

func TestGreedyDeterministicAndStreaming(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256})
	ctx := context.Background()
	a, err := c.Generate(ctx, storyPrompt, llm.GenerateOptions{MaxTokens: 40})
	if err != nil {
		t.Fatal(err)
	}
	if a.CompletionTokens == 0 || len(a.Text) < 10 {
		t.Fatalf("generated too little: %+v", a)
	}
	var pieces []string
	b, err := c.Generate(ctx, storyPrompt, llm.GenerateOptions{MaxTokens: 40, OnPiece: func(s string) error {
		pieces = append(pieces, s)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text || strings.Join(pieces, "") != a.Text {
		t.Errorf("greedy runs differ:\n%q\n%q\nstreamed %q", a.Text, b.Text, strings.Join(pieces, ""))
	}
	if len(pieces) < 5 {
		t.Errorf("only %d pieces streamed", len(pieces))
	}
	if a.PromptTokens < 4 || a.Timings.TTFT <= 0 || a.Timings.PromptTPS <= 0 {
		t.Errorf("usage/timings not filled: %+v", a)
	}
	if a.FinishReason != llm.FinishLength && a.FinishReason != llm.FinishStop {
		t.Errorf("finish reason %q", a.FinishReason)
	}
}

func TestSeededSamplingReproducible(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256})
	gen := func(seed int64) string {
		g, err := c.Generate(context.Background(), storyPrompt, llm.GenerateOptions{MaxTokens: 30,
			SampleOptions: llm.SampleOptions{Temperature: 1.2, TopK: 40, TopP: 0.95, MinP: 0.01, RepeatPenalty: 1.1, Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		return g.Text
	}
	a, b := gen(7), gen(7)
	if a != b {
		t.Errorf("same seed, different text:\n%q\n%q", a, b)
	}
	differs := false
	for seed := int64(8); seed < 12 && !differs; seed++ {
		differs = gen(seed) != a
	}
	if !differs {
		t.Errorf("four other seeds all gave %q", a)
	}
}

func TestStopStrings(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256})
	full, err := c.Generate(context.Background(), storyPrompt, llm.GenerateOptions{MaxTokens: 60})
	if err != nil {
		t.Fatal(err)
	}
	// Stop at a word that appears in the greedy text, not at its start.
	words := strings.Fields(full.Text)
	if len(words) < 4 {
		t.Fatalf("greedy text too short: %q", full.Text)
	}
	stop := words[3]
	want := full.Text[:strings.Index(full.Text, stop)]
	var streamed strings.Builder
	g, err := c.Generate(context.Background(), storyPrompt, llm.GenerateOptions{MaxTokens: 60, Stop: []string{stop},
		OnPiece: func(s string) error { streamed.WriteString(s); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if g.Text != want || streamed.String() != want {
		t.Errorf("stop %q: text %q streamed %q, want %q", stop, g.Text, streamed.String(), want)
	}
	if g.FinishReason != llm.FinishStop {
		t.Errorf("finish reason %q, want stop", g.FinishReason)
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 2048})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	g, err := c.Generate(ctx, storyPrompt, llm.GenerateOptions{OnPiece: func(string) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if g == nil || g.FinishReason != llm.FinishCancelled {
		t.Fatalf("generation %+v, want cancelled", g)
	}
	// Cancelled within one token of the third piece.
	if g.CompletionTokens > 4 {
		t.Errorf("%d tokens generated after cancel at the third piece", g.CompletionTokens)
	}
	// A cancelled context already done before the call does not decode.
	start := time.Now()
	if _, err := c.Generate(ctx, storyPrompt, llm.GenerateOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("pre-cancelled: err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("pre-cancelled generation took %v", time.Since(start))
	}
	// The context is usable again afterwards, at once: the cancel of the
	// call before is set from another goroutine and must land before this
	// call starts, not during it (it once did on a busy machine).
	for i := 0; i < 50; i++ {
		if _, err := c.Generate(ctx, storyPrompt, llm.GenerateOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("pre-cancelled: err = %v", err)
		}
		if _, err := c.Generate(context.Background(), storyPrompt, llm.GenerateOptions{MaxTokens: 2}); err != nil {
			t.Fatalf("after cancel (round %d): %v", i, err)
		}
	}
}

func TestGenerateBadInput(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256})
	long := strings.Repeat("Once upon a time there was a dog. ", 100)
	tests := []struct {
		name   string
		prompt string
		opt    llm.GenerateOptions
		is     error
	}{
		{"prompt longer than context", long, llm.GenerateOptions{}, llm.ErrPromptTooLong},
		{"negative max tokens", storyPrompt, llm.GenerateOptions{MaxTokens: -1}, nil},
		{"temperature out of range", storyPrompt, llm.GenerateOptions{SampleOptions: llm.SampleOptions{Temperature: -1}}, nil},
		{"top-p out of range", storyPrompt, llm.GenerateOptions{SampleOptions: llm.SampleOptions{TopP: 2}}, nil},
		{"empty stop string", storyPrompt, llm.GenerateOptions{Stop: []string{""}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Generate(context.Background(), tt.prompt, tt.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
	if _, err := m.NewContext(ContextParams{NCtx: -5}); err == nil {
		t.Error("negative context size accepted")
	}
	// MaxTokens beyond the room left is capped, not an error.
	g, err := c.Generate(context.Background(), storyPrompt, llm.GenerateOptions{MaxTokens: 1000})
	if err != nil || g.PromptTokens+g.CompletionTokens > c.Size() {
		t.Errorf("capped generation: %+v, %v", g, err)
	}
}
