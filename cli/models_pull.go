package cli

import (
	"fmt"
	"time"

	"github.com/codeloom/codeloom/hub"
	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
)

func modelsPullCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "pull",
		Usage:     "download a model file from the Hugging Face hub (resumable, checksum-verified)",
		ArgsUsage: "hf://OWNER/REPO[@REVISION]/FILE.gguf ...",
		Description: "Downloads each file into --out. An interrupted download is kept as FILE.part and resumed by the\n" +
			"next run; the file is renamed into place only when its sha256 matches the one the hub publishes.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Value: "models", Usage: "folder to save into"},
			&ucli.StringFlag{Name: "token", EnvVars: []string{"HF_TOKEN"}, Usage: "hub access token for private or gated repositories"},
			&ucli.StringFlag{Name: "endpoint", Value: hub.DefaultEndpoint, EnvVars: []string{"CODELOOM_HF_ENDPOINT", "HF_ENDPOINT"},
				Usage: "hub base URL (a mirror, or a test server)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return usageError("models pull: name at least one hf://OWNER/REPO/FILE")
			}
			refs := make([]hub.Ref, c.NArg())
			for i, arg := range c.Args().Slice() {
				ref, err := hub.ParseRef(arg)
				if err != nil {
					return usageError("models pull: %v", err)
				}
				refs[i] = ref
			}
			client := &hub.Client{Endpoint: c.String("endpoint"), Token: c.String("token")}
			for _, ref := range refs {
				res, err := client.Download(c.Context, ref, c.String("out"), byteProgress(c, ref.Name()))
				if err != nil {
					return err
				}
				check := "no checksum published"
				if res.SHA256 != "" {
					check = "sha256 " + res.SHA256 + " verified"
				}
				fmt.Fprintf(c.App.Writer, "%s  %d bytes  %s\n", res.Path, res.Size, check)
			}
			return nil
		},
	}
}

// byteProgress draws a byte-count bar on stderr, made once the size is known.
func byteProgress(c *ucli.Context, name string) hub.Progress {
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(c.App.ErrWriter),
				progressbar.OptionSetDescription(name),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowTotalBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.App.ErrWriter) }),
			)
		}
		bar.Set64(done)
	}
}
