package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/modelstore"
	"github.com/codeloom/codeloom/server"
)

// shownModel is what `models show` prints.
type shownModel struct {
	server.Entry
	Header *ggufHeader       `json:"header"`
	Train  *modelstore.Train `json:"train,omitempty"`
	Eval   *modelstore.Eval  `json:"eval,omitempty"`
}

// trainSummary is the part of train.json's result that `models show` prints.
type trainSummary struct {
	Status    string  `json:"status"`
	Steps     int     `json:"steps"`
	TrainLoss float64 `json:"train_loss"`
	BestVal   float64 `json:"best_val_loss"`
}

func modelsShowCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a store model's or adapter's metadata and training and evaluation results",
		ArgsUsage: "NAME",
		Flags:     []ucli.Flag{storeFlag(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usageError("models show: want one NAME, got %d arguments", c.NArg())
			}
			dir, name := c.String("models"), c.Args().First()
			cat, err := server.Scan(dir)
			if err != nil {
				return err
			}
			e := cat[name]
			if e == nil {
				return fmt.Errorf("models show: no model or adapter %q in %s (see codeloom models list)", name, dir)
			}
			h, err := readGGUFHeader(e.Path)
			if err != nil {
				return fmt.Errorf("models show %s: %w", name, err)
			}
			m := shownModel{Entry: *e, Header: h}
			// Only the store's own folders hold records; a loose NAME.gguf
			// has none.
			m.Train, _ = modelstore.ReadTrain(filepath.Join(dir, name))
			m.Eval, _ = modelstore.ReadEval(filepath.Join(dir, name))
			return printRecord(c, m, m.rows)
		},
	}
}

// printRecord writes v as indented JSON with --json, else as the key/value
// table that rows writes.
func printRecord(c *ucli.Context, v any, rows func(row func(k string, v any)) error) error {
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	if err := rows(func(k string, v any) { fmt.Fprintf(w, "%s\t%v\n", k, v) }); err != nil {
		return err
	}
	return w.Flush()
}

func (m *shownModel) rows(row func(string, any)) error {
	row("name", m.Name)
	row("kind", m.Kind)
	row("path", m.Path)
	if m.Base != "" {
		row("base", m.Base)
	}
	writeHeader(row, m.Header)
	if m.Defaults != nil {
		b, err := json.Marshal(m.Defaults)
		if err != nil {
			return err
		}
		row("defaults", string(b))
	}
	if m.DefaultsError != "" {
		row("defaults", m.DefaultsError)
	}
	if m.Train != nil {
		var r trainSummary
		if json.Unmarshal(m.Train.Result, &r) == nil && r.Status != "" {
			row("training", fmt.Sprintf("%s after %d steps, train loss %.4f, best validation loss %.4f",
				r.Status, r.Steps, r.TrainLoss, r.BestVal))
		}
		row("training data", fmt.Sprintf("%s (%d records)", m.Train.Data.Path, m.Train.Data.Records))
	}
	if m.Eval != nil {
		for _, run := range m.Eval.Runs {
			row("eval "+run.Name, formatMetrics(run.Metrics))
		}
	}
	return nil
}

// writeHeader prints a GGUF header's rows: the architecture's for models,
// the LoRA's for adapters.
func writeHeader(row func(string, any), h *ggufHeader) {
	if h.Name != "" {
		row("model name", h.Name)
	}
	row("architecture", h.Architecture)
	row("size", humanBytes(h.SizeBytes))
	row("parameters", fmt.Sprintf("%s (%d)", humanCount(h.Params), h.Params))
	row("type", h.Type)
	if h.Kind == "adapter" {
		row("rank", h.Rank)
		alpha := "none (scale 1)"
		if h.Alpha != 0 {
			alpha = fmt.Sprint(h.Alpha)
		}
		row("alpha", alpha)
		row("targets", strings.Join(h.Targets, ", "))
		return
	}
	row("context length", h.Context)
	row("layers", h.Layers)
	row("embedding length", h.Embedding)
	row("chat template", h.ChatTemplate)
}

// formatMetrics writes metrics as "name value" pairs sorted by name.
func formatMetrics(metrics map[string]float64) string {
	names := make([]string, 0, len(metrics))
	for k := range metrics {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %.4g", k, metrics[k])
	}
	return strings.Join(parts, ", ")
}
