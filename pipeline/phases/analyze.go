package phases

import (
	"context"
	"io"

	"github.com/codeloom/codeloom/analysis"
)

// topSources is how many sources the summary and report list.
const topSources = 10

type analyzer struct{ log io.Writer }

func (a analyzer) Analyze(ctx context.Context, dataset, jsonPath, htmlPath string) error {
	r, err := analysis.Analyze(ctx, dataset)
	if err != nil {
		return err
	}
	if err := analysis.WriteJSON(jsonPath, r); err != nil {
		return err
	}
	if err := analysis.WriteHTML(htmlPath, r, topSources); err != nil {
		return err
	}
	return analysis.WriteSummary(a.log, r, topSources)
}
