package eval

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// metricRows orders and labels the metrics the scorecard knows; any other
// metric follows under its key. higher tells which direction is better, for
// the marks beside deltas.
var metricRows = []struct {
	key, label string
	higher     bool
}{
	{"records", "records evaluated", true},
	{"syntax_valid", "syntax valid (prompt + completion)", true},
	{"syntax_valid_reference", "syntax valid (prompt + real body)", true},
	{"bleu4", "BLEU-4 (corpus)", true},
	{"exact_match", "exact match", true},
	{"edit_similarity", "edit similarity", true},
	{"mean_nll", "mean loss (nats/token)", false},
	{"perplexity", "perplexity", false},
	{"pass@1", "pass@1", true},
	{"pass@k", "pass@k", true},
	{"ttft_ms_p50", "time to first token p50 (ms)", false},
	{"ttft_ms_p95", "time to first token p95 (ms)", false},
	{"tokens_per_s_p50", "tokens/s p50", true},
	{"tokens_per_s_p95", "tokens/s p95", true},
}

func (r *Report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Evaluation scorecard\n\n%s, %s\n\n", r.Tool, r.CreatedAt.Format("2006-01-02 15:04 MST"))
	b.WriteString("| input | path | sha256 |\n|---|---|---|\n")
	for _, in := range r.Inputs {
		fmt.Fprintf(&b, "| %s | `%s` | `%.16s` |\n", in.Role, in.Path, in.SHA256)
	}
	keys := make([]string, 0, len(r.Settings))
	for k := range r.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("\nSettings:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, r.Settings[k])
	}
	b.WriteString("\n\n## Metrics\n\n")
	r.metricsTable(&b)
	for _, run := range r.Runs {
		languageTable(&b, run)
	}
	for _, run := range r.Runs {
		if run.PassAt != nil {
			fmt.Fprintf(&b, "\n## pass@k: %s\n\npass@1 %.4f, pass@%d %.4f over %d tasks (%d samples).\n\n| task | samples | passed |\n|---|---:|---:|\n",
				run.Name, run.PassAt.Pass1, run.PassAt.K, run.PassAt.PassK, run.PassAt.Tasks, run.PassAt.Samples)
			for _, t := range run.PassAt.PerTask {
				fmt.Fprintf(&b, "| %s | %d | %d |\n", t.TaskID, t.N, t.C)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) metricsTable(b *strings.Builder) {
	b.WriteString("| metric |")
	for _, run := range r.Runs {
		fmt.Fprintf(b, " %s |", run.Name)
	}
	if r.Deltas != nil {
		b.WriteString(" Δ |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(r.Runs)))
	if r.Deltas != nil {
		b.WriteString("---:|")
	}
	b.WriteByte('\n')
	known := map[string]bool{}
	row := func(key, label string, higher bool) {
		known[key] = true
		have := false
		for _, run := range r.Runs {
			_, ok := run.Metrics[key]
			have = have || ok
		}
		if !have {
			return
		}
		if key == "pass@k" && len(r.Runs) > 0 {
			label = fmt.Sprintf("pass@%g", r.Runs[0].Metrics["k"])
			if label == "pass@1" {
				return // the same number as the pass@1 row
			}
		}
		fmt.Fprintf(b, "| %s |", label)
		for _, run := range r.Runs {
			if v, ok := run.Metrics[key]; ok {
				fmt.Fprintf(b, " %s |", num(v))
			} else {
				b.WriteString(" – |")
			}
		}
		if r.Deltas != nil {
			if d, ok := r.Deltas[key]; ok {
				fmt.Fprintf(b, " %s%s |", signed(d), mark(d, higher))
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteByte('\n')
	}
	for _, m := range metricRows {
		row(m.key, m.label, m.higher)
	}
	var rest []string
	for _, run := range r.Runs {
		for k := range run.Metrics {
			if !known[k] {
				known[k] = true
				rest = append(rest, k)
			}
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		row(k, k, true)
	}
}

func languageTable(b *strings.Builder, run *Run) {
	if len(run.Languages) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Per language: %s\n\n| language | records | syntax valid | BLEU-4 | exact match | edit similarity | perplexity |\n|---|---:|---:|---:|---:|---:|---:|\n", run.Name)
	langs := make([]string, 0, len(run.Languages))
	for l := range run.Languages {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		m := run.Languages[l]
		fmt.Fprintf(b, "| %s |", l)
		for _, k := range []string{"records", "syntax_valid", "bleu4", "exact_match", "edit_similarity", "perplexity"} {
			if v, ok := m[k]; ok {
				fmt.Fprintf(b, " %s |", num(v))
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteByte('\n')
	}
}

// num prints counts as integers and other values with four significant
// decimals.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

func signed(v float64) string {
	if v > 0 {
		return "+" + num(v)
	}
	return num(v)
}

// mark flags a delta as better (▲) or worse (▼) for that metric.
func mark(d float64, higher bool) string {
	switch {
	case d == 0:
		return ""
	case (d > 0) == higher:
		return " ▲"
	default:
		return " ▼"
	}
}
