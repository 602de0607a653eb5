// Package analysis computes a dataset's statistics in one streaming pass and
// presents them three ways: a terminal summary, analysis.json and a
// self-contained HTML report with SVG charts. Two reports can be compared,
// to see what changed between two extraction runs.
//
//	r, err := analysis.Analyze(ctx, "datasets/go")
//	if err != nil { ... }
//	analysis.WriteSummary(os.Stdout, r, 10)
//	analysis.WriteJSON("analysis.json", r)
//	analysis.WriteHTML("report.html", r, 10)
//
//	c := analysis.Compare(before, after)
//	analysis.WriteComparison(os.Stdout, c)
//
// Memory stays bounded whatever the dataset's size: quantiles come from
// log-linear histograms (exact below 256, within 0.4% above) and distinct
// files from an exact set that turns into a HyperLogLog sketch past 16,384
// files per language. docs/analyze.md documents every statistic and JSON key.
package analysis
