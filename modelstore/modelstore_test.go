package modelstore

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The map train.json was written from before it had a type: Train must
// write the same bytes, so stores written by earlier versions and by this
// one read alike.
func TestTrainWritesTheFormerBytes(t *testing.T) {
	stats := map[string]any{"samples": 3, "windows": 2}
	old := map[string]any{
		"result": map[string]any{"status": "completed", "steps": 4},
		"config": map[string]any{"rank": 8, "lr": 0.001},
		"state":  map[string]any{"step": 4},
		"base": map[string]any{"path": "/m/base.gguf", "sha256": "ab", "architecture": "llama",
			"type": "f32", "layers": 2, "embedding": 64, "vocab": 300},
		"trainable":        int64(1024),
		"unigram_val_loss": 5.5,
		"backend":          "CPU",
		"data": map[string]any{"path": "ds", "manifest_sha256": "cd", "records": 7,
			"train": stats, "validation": stats},
		"tokens_per_second": 123.25,
	}
	raw := func(v any) json.RawMessage {
		b, err := Raw(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tr := &Train{
		Result: raw(old["result"]), Config: raw(old["config"]), State: raw(old["state"]),
		Base:      TrainBase{Path: "/m/base.gguf", SHA256: "ab", Architecture: "llama", Type: "f32", Layers: 2, Embedding: 64, Vocab: 300},
		Trainable: 1024, UnigramValLoss: 5.5, Backend: "CPU", TokensPerSecond: 123.25,
		Data: TrainData{Path: "ds", ManifestSHA256: "cd", Records: 7, Train: raw(stats), Validation: raw(stats)},
	}
	dir := t.TempDir()
	if err := WriteTrain(dir, tr); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, TrainFile))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(old); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("train.json:\n%s\nwant:\n%s", got, want.Bytes())
	}
	back, err := ReadTrain(dir)
	if err != nil || back.Base != tr.Base || back.Data.Records != 7 || compact(t, back.Result) != string(tr.Result) {
		t.Errorf("ReadTrain = %+v, %v", back, err)
	}
}

func TestBaseRef(t *testing.T) {
	for _, tt := range []struct {
		name, baseFile, train, want string
	}{
		{"base file wins", "other\n", `{"base": {"path": "/m/b.gguf"}}`, "other"},
		{"train.json base path", "", `{"base": {"path": "/m/b.gguf", "layers": 2}}`, "/m/b.gguf"},
		{"hand-written base string", "", `{"base": "b.gguf"}`, "b.gguf"},
		{"hand-written base_model", "", `{"base_model": "tiny", "base": "b.gguf"}`, "tiny"},
		{"malformed train.json", "", `{"base": `, ""},
		{"nothing", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.baseFile != "" {
				os.WriteFile(filepath.Join(dir, BaseFile), []byte(tt.baseFile), 0o644)
			}
			if tt.train != "" {
				os.WriteFile(filepath.Join(dir, TrainFile), []byte(tt.train), 0o644)
			}
			if got := BaseRef(dir); got != tt.want {
				t.Errorf("BaseRef = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteBaseRefIsAbsolute(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	if err := WriteBaseRef(dir, "rel/base.gguf"); err != nil {
		t.Fatal(err)
	}
	if got := BaseRef(dir); !filepath.IsAbs(got) || filepath.Base(got) != "base.gguf" {
		t.Errorf("BaseRef = %q, want an absolute path to base.gguf", got)
	}
}

func TestEvalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	e := &Eval{Tool: "codeloom test", CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Settings: map[string]any{"limit": 3.0},
		Inputs:   []Input{{Role: "model", Path: "m.gguf", SHA256: "ab", Bytes: 9}},
		Runs:     []EvalRun{{Name: "tuned", Metrics: map[string]float64{"bleu": 0.5}, PassAt: json.RawMessage(`{"k":1}`)}},
	}
	if err := WriteEval(dir, e); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEval(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tool != e.Tool || !got.CreatedAt.Equal(e.CreatedAt) || got.Inputs[0] != e.Inputs[0] ||
		got.Runs[0].Metrics["bleu"] != 0.5 || compact(t, got.Runs[0].PassAt) != `{"k":1}` {
		t.Errorf("ReadEval = %+v", got)
	}
	if _, err := ReadEval(t.TempDir()); !os.IsNotExist(err) {
		t.Errorf("ReadEval of an empty folder: %v, want not exist", err)
	}
}

// compact is raw JSON without the indentation the file gave it.
func compact(t *testing.T, raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
