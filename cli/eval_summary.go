package cli

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/codeloom/codeloom/eval"
)

// printScores writes the report's metrics as a table, one column per run
// (the tuned model, then the base) and the change, so the numbers are on the
// terminal and not only in the scorecard files.
func printScores(out io.Writer, rep *eval.Report) error {
	if len(rep.Runs) == 0 {
		return nil
	}
	var names []string
	for _, r := range rep.Runs {
		for k := range r.Metrics {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "metric\t")
	for _, r := range rep.Runs {
		fmt.Fprintf(w, "%s\t", r.Name)
	}
	if len(rep.Deltas) > 0 {
		fmt.Fprint(w, "change\t")
	}
	fmt.Fprintln(w)
	for _, k := range names {
		fmt.Fprintf(w, "%s\t", k)
		for _, r := range rep.Runs {
			if v, ok := r.Metrics[k]; ok {
				fmt.Fprintf(w, "%.4g\t", v)
			} else {
				fmt.Fprint(w, "-\t")
			}
		}
		if d, ok := rep.Deltas[k]; ok {
			fmt.Fprintf(w, "%+.4g\t", d)
		} else if len(rep.Deltas) > 0 {
			fmt.Fprint(w, "-\t")
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}
