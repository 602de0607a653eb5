package bindings

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/llm"
)

var batchPrompts = []string{"Once upon a time", "The little dog", "Lily and Tom went", "One day, a big"}

func TestGenerateBatchMatchesGenerate(t *testing.T) {
	m := stories(t)
	single := newCtx(t, m, ContextParams{NCtx: 256})
	batch := newCtx(t, m, ContextParams{NCtx: 1024, Sequences: len(batchPrompts)})
	opt := llm.GenerateOptions{MaxTokens: 24}
	got, err := batch.GenerateBatch(context.Background(), batchPrompts, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batchPrompts) {
		t.Fatalf("%d results for %d prompts", len(got), len(batchPrompts))
	}
	for i, p := range batchPrompts {
		want, err := single.Generate(context.Background(), p, opt)
		if err != nil {
			t.Fatal(err)
		}
		// Greedy decoding: each sequence of the batch says what it says
		// alone. Batched rows can round differently, so a near tie late in
		// the text may break the other way; the first words must agree.
		w, g := strings.Fields(want.Text), strings.Fields(got[i].Text)
		if len(g) < 4 || len(w) < 4 || strings.Join(g[:4], " ") != strings.Join(w[:4], " ") {
			t.Errorf("prompt %q: batch %q, alone %q", p, got[i].Text, want.Text)
		}
		if got[i].PromptTokens != want.PromptTokens || got[i].FinishReason == "" {
			t.Errorf("prompt %q: batch %+v, alone %+v", p, got[i], want)
		}
	}
	// Sequences do not see each other: the same prompt twice in one batch
	// gives the same text twice.
	twice, err := batch.GenerateBatch(context.Background(), []string{batchPrompts[0], batchPrompts[1], batchPrompts[0]}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if twice[0].Text != twice[2].Text {
		t.Errorf("same prompt, different text in one batch:\n%q\n%q", twice[0].Text, twice[2].Text)
	}
}

func TestGenerateBatchBadInput(t *testing.T) {
	m := stories(t)
	c := newCtx(t, m, ContextParams{NCtx: 256, Sequences: 2})
	if _, err := c.GenerateBatch(context.Background(), batchPrompts, llm.GenerateOptions{}); err == nil {
		t.Error("more prompts than sequences accepted")
	}
	if _, err := c.GenerateBatch(context.Background(), nil, llm.GenerateOptions{}); err == nil {
		t.Error("no prompts accepted")
	}
	if _, err := c.GenerateBatch(context.Background(), batchPrompts[:1], llm.GenerateOptions{OnPiece: func(string) error { return nil }}); err == nil {
		t.Error("OnPiece accepted")
	}
	long := strings.Repeat("the dog ran far. ", 60)
	if _, err := c.GenerateBatch(context.Background(), []string{long, long}, llm.GenerateOptions{}); !errors.Is(err, llm.ErrPromptTooLong) {
		t.Errorf("prompts beyond the context together: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GenerateBatch(ctx, batchPrompts[:2], llm.GenerateOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled batch: %v", err)
	}
}
