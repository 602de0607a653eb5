package pipeline

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	Sources      []string `yaml:"sources"`
	Vocab        int      `yaml:"vocab"`
	Layers       int      `yaml:"layers"`
	Dim          int      `yaml:"dim"`
	Heads        int      `yaml:"heads"`
	Ctx          int      `yaml:"ctx"`
	MaxSteps     int      `yaml:"max_steps"`
	LearningRate float64  `yaml:"learning_rate"`
}

// TrainConfig is the LoRA fine-tuning run.
type TrainConfig struct {
	Format       string   `yaml:"format"`
	Rank         int      `yaml:"rank"`
	Alpha        float64  `yaml:"alpha"`
	Targets      []string `yaml:"targets"`
	LearningRate float64  `yaml:"learning_rate"`
	Epochs       int      `yaml:"epochs"`
	MaxSteps     int      `yaml:"max_steps"`
	Ctx          int      `yaml:"ctx"`
	Batch        int      `yaml:"batch"`
	Seed         int64    `yaml:"seed"`
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
	if err := decodeStrict(DefaultYAML, cfg); err != nil {
		return nil, fmt.Errorf("default config: %w", err)
	}
	if err := decodeStrict(b, cfg); err != nil {
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
