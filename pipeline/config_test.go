package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultConfig(t *testing.T) {
	cfg := Default()
	if cfg.Name != "demo" || cfg.Base.Model != TinyBase || cfg.Train.Rank != 8 || cfg.Serve.Enabled {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Extract.Sources, []string{"."}) {
		t.Fatalf("extract.sources = %q, want this repository", cfg.Extract.Sources)
	}
	for _, s := range cfg.Base.Tiny.Sources {
		if !strings.HasPrefix(s, "$GOROOT/src/") {
			t.Fatalf("base.tiny.sources has %q, want only the Go toolchain's sources (offline)", s)
		}
	}
	// An empty file is the defaults.
	empty := writeConfig(t, "")
	got, err := Load(empty)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Fatalf("an empty config differs from the defaults:\n%+v\n%+v", got, cfg)
	}
}

func TestDefaultSourcesExist(t *testing.T) {
	srcs, err := expandSources(Default().Base.Tiny.Sources)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	goroot := strings.TrimSpace(string(out))
	for _, s := range srcs {
		if !strings.HasPrefix(s, goroot) {
			t.Errorf("%q does not start with GOROOT %q", s, goroot)
		}
		if st, err := os.Stat(s); err != nil || !st.IsDir() {
			t.Errorf("default source %s is not a folder: %v", s, err)
		}
	}
}

func TestLoadOverridesKeepDefaults(t *testing.T) {
	cfg, err := Load(writeConfig(t, "name: mine\ntrain:\n  rank: 4\nextract:\n  sources: [https://github.com/psf/requests, ./x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	if cfg.Name != "mine" || cfg.Train.Rank != 4 {
		t.Fatalf("overrides not applied: name %q rank %d", cfg.Name, cfg.Train.Rank)
	}
	if cfg.Train.Alpha != def.Train.Alpha || !reflect.DeepEqual(cfg.Train.Targets, def.Train.Targets) || !reflect.DeepEqual(cfg.Base, def.Base) {
		t.Fatalf("keys left out lost their defaults: %+v", cfg)
	}
	if want := []string{"https://github.com/psf/requests", "./x"}; !reflect.DeepEqual(cfg.Extract.Sources, want) {
		t.Fatalf("extract.sources = %q, want %q (a list replaces the default)", cfg.Extract.Sources, want)
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "nmae: x\n", "line 1: unknown key nmae, did you mean name? (known here: base, datasets, eval, extract, models, name, serve, threads, train)"},
		{"unknown nested key", "train:\n  rank: 4\n  rnak: 8\n", "line 3: unknown key train.rnak, did you mean train.rank?"},
		{"hyphenated flag name", "train:\n  max-steps: 8\n", "unknown key train.max-steps, did you mean train.max_steps?"},
		{"old and new name", "train:\n  lr: 0.1\n  learning_rate: 0.2\n", "line 3: train.lr is given twice"},
		{"optimizer", "train:\n  optimizer: adam\n", `train.optimizer: must be adamw or sgd, got "adam"`},
		{"micro batch", "train:\n  micro_batch: 0\n", "train.micro_batch: must be positive"},
		{"unknown deep key", "base:\n  tiny:\n    layer: 2\n", "unknown key base.tiny.layer"},
		{"wrong type", "train:\n  rank: eight\n", "line 2: train.rank: cannot unmarshal !!str `eight` into int"},
		{"list expected", "extract:\n  sources: {a: b}\n", "extract.sources: cannot unmarshal !!map into []string"},
		{"section not a mapping", "train: 3\n", "line 1: train must be a mapping of keys"},
		{"given twice", "name: a\nname: b\n", "line 2: name is given twice"},
		{"val ratio", "extract:\n  val_ratio: 1.5\n", "extract.val_ratio: must be between 0 and 1, got 1.5"},
		{"rank", "train:\n  rank: 0\n", "train.rank: must be positive"},
		{"format", "train:\n  format: chat\n", `train.format: must be completion, instruct or fim, got "chat"`},
		{"dim", "base:\n  tiny:\n    dim: 130\n", "base.tiny.dim: must be a positive multiple of base.tiny.heads (4), got 130"},
		{"name", "name: ../x\n", `name: "../x" must be letters`},
		{"no sources", "extract:\n  sources: []\n", "extract.sources: needs at least one source"},
		{"serve addr", "serve:\n  enabled: true\n  addr: nowhere\n", `serve.addr: must be HOST:PORT, got "nowhere"`},
		{"not yaml", "train: [\n", "did not find expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Fatalf("error %q does not name the file", err)
			}
		})
	}
}

func TestOldKeysStillReadWithANote(t *testing.T) {
	path := writeConfig(t, "train:\n  learning_rate: 0.01\n  batch: 2\nbase:\n  tiny:\n    learning_rate: 0.05\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Train.LR != 0.01 || cfg.Train.MicroBatch != 2 || cfg.Base.Tiny.LR != 0.05 {
		t.Fatalf("old names not read as the new: train %+v, tiny lr %g", cfg.Train, cfg.Base.Tiny.LR)
	}
	want := []string{
		path + ": line 2: train.learning_rate is now called train.lr; the old name will go",
		path + ": line 3: train.batch is now called train.micro_batch; the old name will go",
		path + ": line 6: base.tiny.learning_rate is now called base.tiny.lr; the old name will go",
	}
	if !reflect.DeepEqual(cfg.Notes, want) {
		t.Fatalf("notes = %q, want %q", cfg.Notes, want)
	}
	var log strings.Builder
	// Run prints the notes before it does anything, so even a run that
	// fails at once (no sources here) has said them.
	tmp := t.TempDir()
	cfg.Models, cfg.Datasets = filepath.Join(tmp, "models"), filepath.Join(tmp, "datasets")
	cfg.Extract.Sources = []string{filepath.Join(tmp, "missing")}
	_ = Run(t.Context(), cfg, Options{Log: &log})
	if !strings.HasPrefix(log.String(), want[0]+"\n") {
		t.Fatalf("Run's log does not start with the notes:\n%s", log.String())
	}
}

func TestNewTrainKeys(t *testing.T) {
	cfg, err := Load(writeConfig(t, "train:\n  lr: 0.01\n  micro_batch: 2\n  grad_accum: 3\n  schedule: linear\n  optimizer: sgd\n  patience: 2\n  seed: 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Train
	if got.LR != 0.01 || got.MicroBatch != 2 || got.GradAccum != 3 || got.Schedule != "linear" || got.Optimizer != "sgd" || got.Patience != 2 || got.Seed != 7 {
		t.Fatalf("train = %+v", got)
	}
	if len(cfg.Notes) != 0 {
		t.Fatalf("new names gave notes: %q", cfg.Notes)
	}
	// The default config uses only the new names.
	if n := Default().Notes; len(n) != 0 {
		t.Fatalf("default.yaml gave notes: %q", n)
	}
}

func TestTinyChecksOnlyForTinyBase(t *testing.T) {
	// A file base ignores base.tiny, even if it would be invalid.
	if _, err := Load(writeConfig(t, "base:\n  model: m.gguf\n  tiny:\n    dim: 7\n")); err != nil {
		t.Fatal(err)
	}
}

func TestExpandSources(t *testing.T) {
	t.Setenv("GOROOT", "/opt/go")
	t.Setenv("CODE", "/src")
	got, err := expandSources([]string{"$GOROOT/src/fmt", "${CODE}/a", "https://github.com/o/r@v1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/opt/go/src/fmt", "/src/a", "https://github.com/o/r@v1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("expandSources = %q, want %q", got, want)
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "codeloom.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
