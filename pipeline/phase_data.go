package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/analysis"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/internal/sourcespec"
)

// analysisTop is how many sources the summary and report show.
const analysisTop = 10

func (c calls) extract(ctx context.Context, sources []string, out string, opt ExtractConfig) error {
	licenses, err := dataset.ParseLicensePolicy(opt.Licenses)
	if err != nil {
		return fmt.Errorf("extract.licenses: %w", err)
	}
	filters := dataset.DefaultFilters()
	filters.IncludeTests, filters.Licenses = opt.IncludeTests, licenses
	o := extract.Options{
		Sources: sources, Out: out, Languages: opt.Languages, Filters: filters,
		Dedup:    dataset.DedupOptions{NearThreshold: opt.NearDedup, ExactOnly: opt.NearDedup == 0},
		ValRatio: opt.ValRatio, Tool: c.opt.Tool, Progress: &extract.Progress{},
		// The extraction cache knows a local folder by its name only; the
		// pipeline reruns this step when the folder changed, so it must not
		// be served the old results.
		Force: slices.ContainsFunc(sources, sourcespec.IsLocal),
	}
	stop := func() {}
	if d := c.opt.Display.Extract; d != nil {
		stop = d(o.Progress)
	}
	m, err := extract.Run(ctx, o)
	stop()
	if err != nil {
		return err
	}
	if d := c.opt.Display.Extracted; d != nil {
		d(out, m)
	}
	if !slices.ContainsFunc(m.Sources, func(s dataset.SourceStatus) bool { return s.Status == extract.StatusOK }) {
		return fmt.Errorf("every source failed")
	}
	if m.Total.Kept == 0 {
		return fmt.Errorf("no functions kept from %s", strings.Join(sources, ", "))
	}
	return nil
}

func (c calls) analyze(ctx context.Context, data, jsonPath, htmlPath string) error {
	r, err := analysis.Analyze(ctx, data)
	if err != nil {
		return err
	}
	if err := analysis.WriteJSON(jsonPath, r); err != nil {
		return err
	}
	if err := analysis.WriteHTML(htmlPath, r, analysisTop); err != nil {
		return err
	}
	return analysis.WriteSummary(c.opt.Log, r, analysisTop)
}

// pull reads the hub settings `codeloom models pull` reads from the
// environment: HF_TOKEN, CODELOOM_HF_ENDPOINT or HF_ENDPOINT.
func (c calls) pull(ctx context.Context, ref, dir string) (string, error) {
	r, err := hub.ParseRef(ref)
	if err != nil {
		return "", err
	}
	endpoint := os.Getenv("CODELOOM_HF_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("HF_ENDPOINT")
	}
	client := &hub.Client{Endpoint: endpoint, Token: os.Getenv("HF_TOKEN")}
	var progress hub.Progress
	if d := c.opt.Display.Download; d != nil {
		progress = d(r.Name())
	}
	res, err := client.Download(ctx, r, dir, progress)
	return res.Path, err
}
