package pipeline

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
)

// DefaultYAML is the embedded default configuration, printed by
// `codeloom pipeline --print-config`: it runs offline on code already on
// the machine.
//
//go:embed default.yaml
var DefaultYAML []byte

// TinyBase is the base.model value that asks for a model made from scratch.
const TinyBase = "tiny"

// Config is a pipeline configuration; the YAML keys are documented in
// default.yaml.
type Config struct {
	Name     string        `yaml:"name"`
	Datasets string        `yaml:"datasets"`
	Models   string        `yaml:"models"`
	Threads  int           `yaml:"threads"`
	Extract  ExtractConfig `yaml:"extract"`
	Base     BaseConfig    `yaml:"base"`
	Train    TrainConfig   `yaml:"train"`
	Eval     EvalConfig    `yaml:"eval"`
	Serve    ServeConfig   `yaml:"serve"`

	// Notes are what loading had to say, such as a key under an old
	// name; Run prints them.
	Notes []string `yaml:"-"`
}

// ExtractConfig selects and filters the code a dataset is made of.
type ExtractConfig struct {
	Sources      []string `yaml:"sources"`
	Languages    []string `yaml:"languages"`
	ValRatio     float64  `yaml:"val_ratio"`
	NearDedup    float64  `yaml:"near_dedup"`
	IncludeTests bool     `yaml:"include_tests"`
	Licenses     string   `yaml:"licenses"`
}

// BaseConfig names the model to fine-tune.
type BaseConfig struct {
	Model string     `yaml:"model"`
	Tiny  TinyConfig `yaml:"tiny"`
}

// TinyConfig shapes and trains a model made from scratch.
type TinyConfig struct {
	Sources  []string `yaml:"sources"`
	Vocab    int      `yaml:"vocab"`
	Layers   int      `yaml:"layers"`
	Dim      int      `yaml:"dim"`
	Heads    int      `yaml:"heads"`
	Ctx      int      `yaml:"ctx"`
	MaxSteps int      `yaml:"max_steps"`
	LR       float64  `yaml:"lr"`
}

// TrainConfig is the LoRA fine-tuning run. Its keys are the flags of
// `codeloom train` with '-' written '_' (--max-steps is max_steps), the
// same rule as every other key: TestTrainKeysAreTrainFlags in cli keeps the
// two in step, and TrainFlagsLeftOut says why the other flags are not here.
type TrainConfig struct {
	Format          string   `yaml:"format"`
	Rank            int      `yaml:"rank"`
	Alpha           float64  `yaml:"alpha"`
	Targets         []string `yaml:"targets"`
	Optimizer       string   `yaml:"optimizer"`
	LR              float64  `yaml:"lr"`
	MinLR           float64  `yaml:"min_lr"`
	Schedule        string   `yaml:"schedule"`
	Warmup          int      `yaml:"warmup"`
	WeightDecay     float64  `yaml:"weight_decay"`
	Beta1           float64  `yaml:"beta1"`
	Beta2           float64  `yaml:"beta2"`
	Epochs          int      `yaml:"epochs"`
	MaxSteps        int      `yaml:"max_steps"`
	Ctx             int      `yaml:"ctx"`
	MicroBatch      int      `yaml:"micro_batch"`
	GradAccum       int      `yaml:"grad_accum"`
	EvalEvery       int      `yaml:"eval_every"`
	MaxEvalWindows  int      `yaml:"max_eval_windows"`
	Patience        int      `yaml:"patience"`
	MinDelta        float64  `yaml:"min_delta"`
	CheckpointEvery int      `yaml:"checkpoint_every"`
	Seed            uint64   `yaml:"seed"`
}

// TrainFlagsLeftOut are the flags of `codeloom train` with no key in the
// train section, and why.
var TrainFlagsLeftOut = map[string]string{
	"base":            "base.model",
	"data":            "the pipeline's own dataset",
	"data-format":     "the pipeline's dataset is codeloom records",
	"chat-template":   "for chat data only",
	"train-on-prompt": "for chat and instruction data only",
	"out":             "models/NAME",
	"full":            "the pipeline trains a LoRA adapter",
	"resume":          "the pipeline resumes an interrupted step itself",
	"threads":         "the top-level threads",
	"gpu-layers":      "the pipeline trains on the CPU",
	"export":          "the adapter is llama.cpp's GGUF",
}

// TrainFlag is the `codeloom train` flag of a train section key.
func TrainFlag(key string) string { return strings.ReplaceAll(key, "_", "-") }

// TrainKeys are the train section's keys, in the order of TrainConfig.
func TrainKeys() []string {
	t := reflect.TypeFor[TrainConfig]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("yaml")
	}
	return keys
}

// renamedKeys are the keys of earlier versions, by full path, and their
// names now (in the same section). They are still read, with a note.
var renamedKeys = map[string]string{
	"train.learning_rate":     "lr",
	"train.batch":             "micro_batch",
	"base.tiny.learning_rate": "lr",
}

// EvalConfig is the base-versus-tuned evaluation.
type EvalConfig struct {
	Limit        int    `yaml:"limit"`
	MaxTokens    int    `yaml:"max_tokens"`
	SamplePrompt string `yaml:"sample_prompt"`
}

// ServeConfig serves the result when the pipeline is done.
type ServeConfig struct {
	Enabled bool   `yaml:"enabled"`
	Addr    string `yaml:"addr"`
}

// Default returns the embedded default configuration.
func Default() *Config {
	cfg, err := parse(DefaultYAML, "default config")
	if err != nil {
		panic(err) // default.yaml is part of the binary; TestDefaultConfig keeps it valid
	}
	return cfg
}

// Load reads a config file over the defaults: keys the file leaves out keep
// their default values. Unknown keys and bad values are errors naming the key.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(b, path)
}

func parse(b []byte, name string) (*Config, error) {
	cfg := &Config{}
	if _, err := decodeStrict(DefaultYAML, cfg); err != nil {
		return nil, fmt.Errorf("default config: %w", err)
	}
	notes, err := decodeStrict(b, cfg)
	for _, n := range notes {
		cfg.Notes = append(cfg.Notes, fmt.Sprintf("%s: %s", name, n))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// Paths of the outputs, derived from the names.

// DatasetDir is where the fine-tuning dataset is written.
func (c *Config) DatasetDir() string { return filepath.Join(c.Datasets, c.Name) }

// BaseDatasetDir is where the tiny base's training data is written.
func (c *Config) BaseDatasetDir() string { return filepath.Join(c.Datasets, c.Name+"-base") }

// ModelDir holds the adapter, its evaluation and the pipeline's own files.
func (c *Config) ModelDir() string { return filepath.Join(c.Models, c.Name) }

// pipelineDir holds the pipeline's own files: its state, the analysis and
// the sample.
func (c *Config) pipelineDir() string { return filepath.Join(c.ModelDir(), PipelineDir) }

// TinyBaseDir holds the model made from scratch.
func (c *Config) TinyBaseDir() string { return filepath.Join(c.Models, c.Name+"-base") }

// expandSources replaces $GOROOT (and other environment variables) in
// source names; GOROOT comes from `go env GOROOT` when the environment does
// not set it.
func expandSources(sources []string) ([]string, error) {
	var goroot string
	var gorootErr error
	lookup := func(name string) string {
		if name != "GOROOT" || os.Getenv("GOROOT") != "" {
			return os.Getenv(name)
		}
		if goroot == "" && gorootErr == nil {
			out, err := exec.Command("go", "env", "GOROOT").Output()
			goroot, gorootErr = strings.TrimSpace(string(out)), err
		}
		return goroot
	}
	out := make([]string, len(sources))
	for i, s := range sources {
		out[i] = os.Expand(s, lookup)
		if gorootErr != nil {
			return nil, fmt.Errorf("source %q: find GOROOT with `go env GOROOT`: %w", s, gorootErr)
		}
	}
	return out, nil
}
