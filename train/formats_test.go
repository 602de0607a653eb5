package train

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/modelstore"
)

// gemmaTemplate is recognised by llama.cpp as Gemma's, whose output differs
// from ChatML: a test that sees its markers knows the model's own template
// was used.
const gemmaTemplate = "{% for message in messages %}<start_of_turn>{{ message['role'] }}\n{{ message['content'] }}<end_of_turn>\n{% endfor %}"

// chatTok loads a tiny model whose tokenizer has the given chat template.
func chatTok(t *testing.T, template string) *bindings.Model {
	t.Helper()
	tok := gguf.SPMByteTokenizer()
	tok.Extra = append(tok.Extra, gguf.KV{Key: "tokenizer.chat_template", Value: gguf.Of(template)})
	path := filepath.Join(t.TempDir(), "chat.gguf")
	cfg := gguf.TinyLlamaConfig{Embd: 64, Layers: 2, Heads: 4, HeadsKV: 2, FF: 128, Ctx: 256, Seed: 7, Tokenizer: tok}
	if err := gguf.WriteTinyLlama(context.Background(), path, cfg); err != nil {
		t.Fatal(err)
	}
	m, err := bindings.LoadModel(path, bindings.ModelParams{NoRepack: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// writeLines writes a data file in a fresh folder.
func writeLines(t *testing.T, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// scoredTargets lists the labels of every scored position, window after
// window: with samples packed in order they are the scored tokens of each
// sample in turn.
func scoredTargets(ws []bindings.Window) []int32 {
	var out []int32
	for _, w := range ws {
		for _, l := range w.Labels {
			if l >= 0 {
				out = append(out, l)
			}
		}
	}
	return out
}

// Each shape of data is told from its first record and scores exactly its
// responses: the labels of the packed windows are the response tokens (and
// the end-of-text token where the format adds one), in order, and nothing
// of the prompts.
func TestLoadDataScoresResponsesOnly(t *testing.T) {
	plain, gemma := loadTok(t, false), chatTok(t, gemmaTemplate)
	cat := func(parts ...[]int32) []int32 { return slices.Concat(parts...) }
	eos := []int32{plain.EOS()}
	tok := func(m *bindings.Model, s string) []int32 { return tokens(t, m, s) }
	bos := []int32{}
	if plain.AddsBOS() {
		bos = []int32{plain.BOS()}
	}
	chat := `{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"},` +
		` {"role": "assistant", "content": "Hi."}, {"role": "user", "content": "Bye?"}, {"role": "assistant", "content": "Bye."}]}`
	cases := []struct {
		name   string
		m      *bindings.Model
		opt    DataOptions
		file   string
		lines  []string
		format DataFormat
		want   []int32
	}{
		{"instruction", plain, DataOptions{}, "alpaca.jsonl", []string{
			`{"instruction": "Add two numbers.", "output": "func add(a, b int) int { return a + b }"}`,
			`{"instruction": "Negate it.", "input": "x := 1", "response": "-x"}`,
		}, DataInstruction, cat(tok(plain, "func add(a, b int) int { return a + b }"), eos, tok(plain, "-x"), eos)},
		{"prompt and completion", plain, DataOptions{}, "trl.jsonl", []string{
			`{"prompt": "func add(", "completion": "a, b int) int"}`,
		}, DataCompletion, cat(tok(plain, "a, b int) int"), eos)},
		{"text", plain, DataOptions{}, "text.jsonl", []string{`{"text": "package main"}`},
			DataText, cat(tok(plain, "package main"), eos)},
		{"codeloom record", plain, DataOptions{}, "records.jsonl", []string{`{"id": "a", "code": "func f() {}", "split": "train"}`},
			DataCodeloom, cat(tok(plain, "func f() {}"), eos)},
		{"chat with the model's template", gemma, DataOptions{}, "chat.jsonl", []string{chat},
			DataChat, cat(tok(gemma, "Hi.<end_of_turn>\n"), tok(gemma, "Bye.<end_of_turn>\n"))},
		{"chat as chatml", plain, DataOptions{ChatTemplate: ChatML}, "chat.jsonl", []string{chat},
			DataChat, cat(tok(plain, "Hi.<|im_end|>\n"), tok(plain, "Bye.<|im_end|>\n"))},
		{"train on prompt", plain, DataOptions{Format: DataInstruction, TrainOnPrompt: true}, "alpaca.jsonl", []string{
			`{"instruction": "Add.", "output": "a + b"}`,
		}, DataInstruction, cat(bos, tok(plain, AlpacaPrompt("Add.", "")), tok(plain, "a + b"), eos)[1:]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Ctx = 256
			path := writeLines(t, c.file, c.lines...)
			d, err := LoadData(context.Background(), path, SampleBuilder{Tok: c.m, Format: Completion}, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != c.format || d.Records != len(c.lines) {
				t.Errorf("format %s with %d records, want %s with %d", d.Format, d.Records, c.format, len(c.lines))
			}
			if got := scoredTargets(d.Train); !slices.Equal(got, c.want) {
				t.Errorf("scored tokens\n%v\nwant\n%v", got, c.want)
			}
			if d.TrainStats.Scored != int64(len(c.want)) {
				t.Errorf("%d scored, want %d", d.TrainStats.Scored, len(c.want))
			}
		})
	}
}

// A record that lacks what its format needs, or has a field of the wrong
// JSON type, stops loading with the file, the 1-based line and the field.
func TestLoadDataRefusesBadRecords(t *testing.T) {
	plain := loadTok(t, false)
	good := `{"instruction": "Add.", "output": "a + b"}`
	cases := []struct {
		name   string
		format Format
		opt    DataOptions
		lines  []string
		line   int
		field  string
		msg    string
	}{
		{"missing output after a blank line", Completion, DataOptions{}, []string{good, "", `{"instruction": "Sub."}`}, 3, "output", `"output" (or "response") is missing`},
		{"output of the wrong type", Completion, DataOptions{}, []string{`{"instruction": "Add.", "output": 42}`}, 1, "output", "is a number, want a string"},
		{"instruction of the wrong type", Completion, DataOptions{}, []string{`{"instruction": ["Add."], "output": "a"}`}, 1, "instruction", "is an array, want a string"},
		{"prompt without completion", Completion, DataOptions{}, []string{`{"prompt": "a"}`}, 1, "completion", `"completion" is missing`},
		{"message without content", Completion, DataOptions{ChatTemplate: ChatML}, []string{
			`{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}`,
			`{"messages": [{"role": "user", "content": "a"}, {"role": "assistant"}]}`}, 2, "messages[1].content", "missing"},
		{"messages not an array", Completion, DataOptions{ChatTemplate: ChatML}, []string{`{"messages": "hi"}`}, 1, "messages", "is a string, want an array"},
		{"chat without an assistant", Completion, DataOptions{ChatTemplate: ChatML}, []string{`{"messages": [{"role": "user", "content": "a"}]}`}, 1, "messages", "no assistant message"},
		{"instruction data read as codeloom's", Completion, DataOptions{Format: DataCodeloom}, []string{good}, 1, "code", `"code" is missing`},
		{"codeloom field of the wrong type", Completion, DataOptions{}, []string{`{"code": "x", "start_line": "ten"}`}, 1, "start_line", "start_line"},
		{"shape not known", Completion, DataOptions{}, []string{`{"question": "a", "answer": "b"}`}, 1, "", "--data-format"},
		{"not JSON", Completion, DataOptions{}, []string{good, `{"instruction": `}, 2, "", "not a JSON object"},
		{"sample format on instruction data", Instruct, DataOptions{}, []string{good}, 1, "", "--format instruct applies to codeloom's records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Ctx = 128
			path := writeLines(t, "data.jsonl", c.lines...)
			_, err := LoadData(context.Background(), path, SampleBuilder{Tok: plain, Format: c.format}, c.opt)
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a DataError", err)
			}
			if de.File != path || de.Line != c.line || de.Field != c.field || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got %q (line %d, field %q), want line %d, field %q, message with %q", err, de.Line, de.Field, c.line, c.field, c.msg)
			}
			if !strings.HasPrefix(err.Error(), path+": line ") {
				t.Errorf("%q does not start with the file and line", err)
			}
		})
	}
	t.Run("chat on a model without a template", func(t *testing.T) {
		path := writeLines(t, "chat.jsonl", `{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}`)
		_, err := LoadData(context.Background(), path, SampleBuilder{Tok: plain}, DataOptions{Ctx: 128})
		if !errors.Is(err, ErrNoChatTemplate) || !strings.Contains(err.Error(), "--chat-template chatml") {
			t.Errorf("got %v, want ErrNoChatTemplate suggesting --chat-template", err)
		}
	})
}

type alpacaRow struct {
	Instruction string  `parquet:"instruction"`
	Input       *string `parquet:"input,optional"`
	Output      *string `parquet:"output,optional"`
}

type chatMessageRow struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

type chatRow struct {
	Messages []chatMessageRow `parquet:"messages,list"`
}

// writeParquet writes rows as a Parquet file, as a dataset made elsewhere
// (pyarrow, Hugging Face datasets) would be.
func writeParquet[T any](t *testing.T, path string, rows []T) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

// Parquet files with the JSONL shapes' columns load like JSONL: a folder of
// instruction rows (which trains), a file of chat rows with nested
// messages, and a row missing its output named by its 1-based row number.
func TestLoadDataParquet(t *testing.T) {
	m := loadTok(t, false)
	eos := m.EOS()
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "train-00000.parquet"), []alpacaRow{
		{Instruction: "Add.", Output: ptr("a + b")},
		{Instruction: "Negate.", Input: ptr("x"), Output: ptr("-x")},
	})
	d, err := LoadData(context.Background(), dir, SampleBuilder{Tok: m}, DataOptions{Ctx: 128})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(tokens(t, m, "a + b"), []int32{eos}, tokens(t, m, "-x"), []int32{eos})
	if got := scoredTargets(d.Train); d.Format != DataInstruction || !slices.Equal(got, want) {
		t.Errorf("%s data scores %v, want instruction data scoring %v", d.Format, got, want)
	}

	cfg := quickConfig(t, tinyBase(t, false), dir)
	cfg.MaxSteps, cfg.EvalEvery = 2, 0
	if res, err := Run(context.Background(), cfg, nil); err != nil || res.Steps != 2 {
		t.Fatalf("training on Parquet: %v, %+v", err, res)
	}

	chatFile := filepath.Join(t.TempDir(), "chat.parquet")
	writeParquet(t, chatFile, []chatRow{{Messages: []chatMessageRow{{"user", "Hello?"}, {"assistant", "Hi."}}}})
	d, err = LoadData(context.Background(), chatFile, SampleBuilder{Tok: m}, DataOptions{Ctx: 128, ChatTemplate: ChatML})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := scoredTargets(d.Train), tokens(t, m, "Hi.<|im_end|>\n"); d.Format != DataChat || !slices.Equal(got, want) {
		t.Errorf("%s data scores %v, want chat data scoring %v", d.Format, got, want)
	}

	bad := filepath.Join(t.TempDir(), "bad.parquet")
	writeParquet(t, bad, []alpacaRow{{Instruction: "Add.", Output: ptr("a + b")}, {Instruction: "Sub."}})
	_, err = LoadData(context.Background(), bad, SampleBuilder{Tok: m}, DataOptions{Ctx: 128})
	var de *DataError
	if !errors.As(err, &de) || de.Unit != "row" || de.Line != 2 || de.Field != "output" {
		t.Errorf("got %v, want row 2's missing output", err)
	}
}

// The case that used to "complete" on the start and end tokens alone: a
// folder of instruction JSONL now trains on its responses, its loss goes
// down, and train.json counts the response tokens as scored.
func TestRunInstructionData(t *testing.T) {
	base := tinyBase(t, false)
	m := loadTok(t, false)
	dir := t.TempDir()
	var lines []string
	var scored int64
	for i := range 20 {
		out := strings.Repeat("return a + b\n", 1+i%3)
		b, err := json.Marshal(map[string]string{"instruction": "Add two numbers.", "response": out})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
		scored += int64(len(tokens(t, m, out)) + 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "data-00000.jsonl"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := quickConfig(t, base, dir)
	cfg.MaxSteps, cfg.EvalEvery = 40, 0
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "completed" || res.Steps != 40 {
		t.Errorf("%s after %d steps, want completed after 40", res.Status, res.Steps)
	}
	b, err := os.ReadFile(filepath.Join(cfg.Out, modelstore.TrainFile))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Data struct{ Train PackStats } `json:"data"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Data.Train.Scored != scored || s.Data.Train.Samples != 20 {
		t.Errorf("train.json: %d samples, %d scored tokens; want 20 samples, %d scored (the responses and their ends)",
			s.Data.Train.Samples, s.Data.Train.Scored, scored)
	}
	ms := readMetrics(t, cfg.Out)
	if first, last := ms[0]["loss"], ms[len(ms)-1]["loss"]; !(last < 0.9*first) {
		t.Errorf("loss went from %.3f to %.3f, want at least 10%% lower", first, last)
	}
}
