package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/analysis"
	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/extract"
	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/internal/sourcespec"
	"github.com/codeloom/codeloom/pipeline"
)

// pipelinePhases does the pipeline's steps with the packages and the same
// helpers the single commands use, so each step shows the progress and
// writes the files its command would.
type pipelinePhases struct{ c *ucli.Context }

func newPipelinePhases(c *ucli.Context) pipeline.Phases {
	p := pipelinePhases{c}
	return pipeline.Phases{Extract: p, Analyze: p, MakeTiny: p, Pull: p, Train: p, Eval: p, Generate: p, Serve: p}
}

// analysisTop is how many sources the summary and report show.
const analysisTop = 10

// checkPipelineConfig checks the values only the packages know (language,
// licence and LoRA target names) before any step runs; each error names
// its key.
func checkPipelineConfig(cfg *pipeline.Config) error {
	if _, err := dataset.ParseLicensePolicy(cfg.Extract.Licenses); err != nil {
		return fmt.Errorf("extract.licenses: %w", err)
	}
	for _, l := range cfg.Extract.Languages {
		if extract.LanguageByName(l) == nil {
			return fmt.Errorf("extract.languages: unknown language %q (known: %s)", l, strings.Join(extract.LanguageNames(), ", "))
		}
	}
	for _, target := range cfg.Train.Targets {
		if !slices.Contains(bindings.LoRATargets, target) {
			return fmt.Errorf("train.targets: unknown projection %q (known: %s)", target, strings.Join(bindings.LoRATargets, ", "))
		}
	}
	return nil
}

func (p pipelinePhases) Extract(ctx context.Context, sources []string, out string, opt pipeline.ExtractConfig) error {
	licenses, err := dataset.ParseLicensePolicy(opt.Licenses)
	if err != nil {
		return fmt.Errorf("extract.licenses: %w", err)
	}
	filters := dataset.DefaultFilters()
	filters.IncludeTests, filters.Licenses = opt.IncludeTests, licenses
	o := extract.Options{
		Sources: sources, Out: out, Languages: opt.Languages, Filters: filters,
		Dedup:    dataset.DedupOptions{NearThreshold: opt.NearDedup, ExactOnly: opt.NearDedup == 0},
		ValRatio: opt.ValRatio, Tool: "codeloom " + Version, Progress: &extract.Progress{},
		// The extraction cache knows a local folder by its name only; the
		// pipeline reruns this step when the folder changed, so it must not
		// be served the old results.
		Force: slices.ContainsFunc(sources, sourcespec.IsLocal),
	}
	stop := showProgress(p.c, o.Progress)
	m, err := extract.Run(ctx, o)
	stop()
	if err != nil {
		return err
	}
	if err := reportExtract(p.c.App.Writer, p.c.App.ErrWriter, out, m); err != nil {
		return err
	}
	if m.Total.Kept == 0 {
		return fmt.Errorf("no functions kept from %s", strings.Join(sources, ", "))
	}
	return nil
}

func (p pipelinePhases) Analyze(ctx context.Context, data, jsonPath, htmlPath string) error {
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
	return analysis.WriteSummary(p.c.App.Writer, r, analysisTop)
}

// Pull reads the hub settings `codeloom models pull` reads from the
// environment: HF_TOKEN, CODELOOM_HF_ENDPOINT or HF_ENDPOINT.
func (p pipelinePhases) Pull(ctx context.Context, ref, dir string) (string, error) {
	r, err := hub.ParseRef(ref)
	if err != nil {
		return "", err
	}
	endpoint := os.Getenv("CODELOOM_HF_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("HF_ENDPOINT")
	}
	c := &hub.Client{Endpoint: endpoint, Token: os.Getenv("HF_TOKEN")}
	res, err := c.Download(ctx, r, dir, byteProgress(p.c, r.Name()))
	return res.Path, err
}

// Serve runs `codeloom serve` itself, so the pipeline's server is the one
// the command starts, with its defaults and CODELOOM_API_KEYS.
func (p pipelinePhases) Serve(ctx context.Context, models, addr string, threads int) error {
	app := newApp()
	app.Writer, app.ErrWriter = p.c.App.Writer, p.c.App.ErrWriter
	return app.RunContext(ctx, []string{"codeloom", "serve", "--models", models, "--addr", addr, "--threads", strconv.Itoa(threads)})
}
