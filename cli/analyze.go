package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/analysis"
)

func analyzeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "analyze",
		Usage:     "statistics of a dataset: a terminal summary, analysis.json and an HTML report; two datasets are compared",
		ArgsUsage: "DATASET [DATASET_B]",
		Description: `Reads the dataset once, record by record, in bounded memory, and prints per language files,
functions, share, mean/median/p90 of lines, characters and tokens, docstring coverage, complexity
and syntax-valid share; per source functions, commit and licence; the manifest's filter funnel
(found → kept), duplicates, redactions and split sizes.

With two datasets (e.g. two extraction runs), prints the metrics that changed from the first to
the second and the sources added, removed or moved to another commit; --json and --html then hold
both datasets side by side.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "json", Aliases: []string{"j"}, Usage: "write the statistics as JSON to `FILE` (e.g. analysis.json)"},
			&ucli.StringFlag{Name: "html", Usage: "write a self-contained HTML report with charts to `FILE` (e.g. report.html)"},
			&ucli.IntFlag{Name: "top", Value: 10, Usage: "sources listed in the summary and charted in the report (0 = all)"},
		},
		Action: runAnalyze,
	}
}

func runAnalyze(c *ucli.Context) error {
	if c.NArg() < 1 || c.NArg() > 2 {
		return usageError("analyze takes one dataset folder, or two to compare")
	}
	top := c.Int("top")
	if top < 0 {
		return usageError("--top must be 0 (all) or more, not %d", top)
	}
	var reports []*analysis.Report
	for _, dir := range c.Args().Slice() {
		r, err := analysis.Analyze(c.Context, dir)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	if len(reports) == 1 {
		return writeAnalysis(c, reports[0], top)
	}
	return writeComparison(c, analysis.Compare(reports[0], reports[1]), top)
}

func writeAnalysis(c *ucli.Context, r *analysis.Report, top int) error {
	if err := analysis.WriteSummary(c.App.Writer, r, top); err != nil {
		return err
	}
	if path := c.String("json"); path != "" {
		if err := analysis.WriteJSON(path, r); err != nil {
			return err
		}
	}
	if path := c.String("html"); path != "" {
		return analysis.WriteHTML(path, r, top)
	}
	return nil
}

func writeComparison(c *ucli.Context, cmp *analysis.Comparison, top int) error {
	if err := analysis.WriteComparison(c.App.Writer, cmp); err != nil {
		return err
	}
	if path := c.String("json"); path != "" {
		if err := analysis.WriteJSON(path, cmp); err != nil {
			return err
		}
	}
	if path := c.String("html"); path != "" {
		return analysis.WriteComparisonHTML(path, cmp, top)
	}
	return nil
}
