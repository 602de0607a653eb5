package phases

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/codeloom/codeloom/hub"
)

// puller downloads with the settings `codeloom models pull` reads from the
// environment: HF_TOKEN and CODELOOM_HF_ENDPOINT (or HF_ENDPOINT).
type puller struct{ log io.Writer }

func (p puller) Pull(ctx context.Context, ref, dir string) (string, error) {
	r, err := hub.ParseRef(ref)
	if err != nil {
		return "", err
	}
	c := &hub.Client{Endpoint: firstEnv("CODELOOM_HF_ENDPOINT", "HF_ENDPOINT"), Token: os.Getenv("HF_TOKEN")}
	last := int64(-1)
	res, err := c.Download(ctx, r, dir, func(done, total int64) {
		// One line per 10%: the pipeline's log is read as plain lines.
		if total > 0 && done*10/total != last {
			last = done * 10 / total
			fmt.Fprintf(p.log, "  %s: %d%% of %d MB\n", r.Name(), last*10, total>>20)
		}
	})
	return res.Path, err
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
