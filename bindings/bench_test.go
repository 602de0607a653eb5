package bindings

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// Benchmarks of prompt processing and generation on a model with the real
// shape of Qwen2.5-0.5B (random weights), codeloom's Generate against the
// barest C decode loop over the same engine build. Run with `make bench
// BENCH=Decode` on an idle machine; the reported metrics are prompt_tok/s,
// gen_tok/s and the process's peak resident memory.

const (
	benchThreads = 2
	benchPrompt  = 128
	benchGen     = 64
)

// qwenShaped writes (once, cached in the temp folder) a Qwen2.5-0.5B-shaped
// model of the given weight type.
func qwenShaped(b *testing.B, t gguf.TensorType) string {
	return shapedModel(b, "qwen05b-"+strings.ToLower(t.String()), gguf.Qwen05BShape(t))
}

// shapedModel writes a random model of shape cfg once and keeps it in the
// temporary folder, since writing a model of real size takes seconds.
func shapedModel(b *testing.B, name string, cfg gguf.TinyLlamaConfig) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "codeloom-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, name+".gguf")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	cfg.Seed = 1
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchTokens is a prompt of n tokens that are ordinary vocabulary entries.
func benchTokens(n int) []int32 {
	toks := make([]int32, n)
	for i := range toks {
		toks[i] = int32(300 + (i*37)%5000)
	}
	return toks
}

func BenchmarkDecode(b *testing.B) {
	for _, typ := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
		path := qwenShaped(b, typ)
		m, err := LoadModel(path, ModelParams{})
		if err != nil {
			b.Fatal(err)
		}
		d := decodeBench{m: m, prompt: m.Detokenize(benchTokens(benchPrompt)), gen: benchGen, nCtx: 512, threads: benchThreads}
		b.Run(typ.String()+"/codeloom", d.generate)
		b.Run(typ.String()+"/bare", d.bare)
		m.Close()
	}
}

// decodeBench is one shape of the decode benchmarks: codeloom's Generate
// and the bare C loop, each reporting prompt and generation tokens/s and
// the peak resident memory.
type decodeBench struct {
	m                  *Model
	prompt             string
	gen, nCtx, threads int
}

func (d decodeBench) generate(b *testing.B) {
	c, err := d.m.NewContext(ContextParams{NCtx: d.nCtx, Threads: d.threads})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var pt, gt, pn, gn float64
	for i := 0; i < b.N; i++ {
		// EOS is never sampled here: a repeat penalty of 1 and greedy
		// decoding over random weights keep going for d.gen tokens.
		g, err := c.Generate(context.Background(), d.prompt, llm.GenerateOptions{MaxTokens: d.gen})
		if err != nil {
			b.Fatal(err)
		}
		pt += g.Timings.Prompt.Seconds()
		gt += g.Timings.Gen.Seconds()
		pn += float64(g.PromptTokens)
		gn += float64(g.CompletionTokens - 1)
	}
	reportDecode(b, pn/pt, gn/gt)
}

func (d decodeBench) bare(b *testing.B) {
	toks, err := d.m.Tokenize(d.prompt, true)
	if err != nil {
		b.Fatal(err)
	}
	var pt, gt, pn, gn float64
	for i := 0; i < b.N; i++ {
		n, tp, tg, err := d.m.BareLoop(toks, d.gen, d.nCtx, d.threads)
		if err != nil {
			b.Fatal(err)
		}
		pt += tp.Seconds()
		gt += tg.Seconds()
		pn += float64(len(toks))
		gn += float64(n)
	}
	reportDecode(b, pn/pt, gn/gt)
}

func reportDecode(b *testing.B, promptTPS, genTPS float64) {
	b.ReportMetric(promptTPS, "prompt_tok/s")
	b.ReportMetric(genTPS, "gen_tok/s")
	b.ReportMetric(peakRSSMiB(), "peak_MiB")
}

// peakRSSMiB is the process's peak resident set (VmHWM), in MiB.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkConcurrent compares three ways to answer four requests at once
// on 2 threads (Qwen2.5-0.5B shape, Q4_0): one context taking them in turn,
// a pool of two 1-thread contexts working side by side, and one context
// decoding the four as sequences of one batch. The metric is the total
// generated tokens per second.
func BenchmarkConcurrent(b *testing.B) {
	const requests, gen = 4, 32
	m, err := LoadModel(qwenShaped(b, gguf.Q4_0), ModelParams{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	prompts := make([]string, requests)
	for i := range prompts {
		prompts[i] = m.Detokenize(benchTokens(32 + 8*i))
	}
	opt := llm.GenerateOptions{MaxTokens: gen}
	report := func(b *testing.B, tokens int, start time.Time) {
		b.ReportMetric(float64(tokens)/time.Since(start).Seconds(), "gen_tok/s")
	}
	b.Run("one-context", func(b *testing.B) {
		c, err := m.NewContext(ContextParams{NCtx: 512, Threads: benchThreads})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		tokens, start := 0, time.Now()
		for i := 0; i < b.N; i++ {
			for _, p := range prompts {
				g, err := c.Generate(context.Background(), p, opt)
				if err != nil {
					b.Fatal(err)
				}
				tokens += g.CompletionTokens
			}
		}
		report(b, tokens, start)
	})
	b.Run("pool-of-2", func(b *testing.B) {
		var ctxs [2]*Context
		for i := range ctxs {
			if ctxs[i], err = m.NewContext(ContextParams{NCtx: 512, Threads: 1}); err != nil {
				b.Fatal(err)
			}
			defer ctxs[i].Close()
		}
		var tokens atomic.Int64
		start := time.Now()
		for i := 0; i < b.N; i++ {
			var wg sync.WaitGroup
			for w, c := range ctxs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, p := range prompts[w*requests/2 : (w+1)*requests/2] {
						g, err := c.Generate(context.Background(), p, opt)
						if err != nil {
							b.Error(err)
							return
						}
						tokens.Add(int64(g.CompletionTokens))
					}
				}()
			}
			wg.Wait()
		}
		report(b, int(tokens.Load()), start)
	})
	b.Run("sequences", func(b *testing.B) {
		c, err := m.NewContext(ContextParams{NCtx: 1024, Threads: benchThreads, Sequences: requests})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		tokens, start := 0, time.Now()
		for i := 0; i < b.N; i++ {
			gs, err := c.GenerateBatch(context.Background(), prompts, opt)
			if err != nil {
				b.Fatal(err)
			}
			for _, g := range gs {
				tokens += g.CompletionTokens
			}
		}
		report(b, tokens, start)
	})
}
