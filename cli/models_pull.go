package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/hub"
	"github.com/codeloom/codeloom/internal/atomicfile"
)

func modelsPullCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "pull",
		Usage:     "download a model file into the store from the Hugging Face hub or a URL, or copy in a local one",
		ArgsUsage: "hf://OWNER/REPO[@REVISION]/FILE.gguf | https://HOST/.../FILE.gguf | PATH.gguf ...",
		Description: "Saves each file into --out. An interrupted download is kept as FILE.part and resumed by the\n" +
			"next run; the file is renamed into place only when complete and, when the server publishes a\n" +
			"sha256 (the hub does), only when it matches. A local GGUF file is copied in.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Value: "models", Usage: "folder to save into"},
			&ucli.StringFlag{Name: "token", EnvVars: []string{"HF_TOKEN"}, Usage: "hub access token for private or gated repositories"},
			&ucli.StringFlag{Name: "endpoint", Value: hub.DefaultEndpoint, EnvVars: []string{"CODELOOM_HF_ENDPOINT", "HF_ENDPOINT"},
				Usage: "hub base URL (a mirror, or a test server)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return usageError("models pull: name at least one hf://OWNER/REPO/FILE, URL or file")
			}
			pulls := make([]func() (hub.Result, error), c.NArg())
			client := &hub.Client{Endpoint: c.String("endpoint"), Token: c.String("token")}
			out := c.String("out")
			// Every argument is checked before the first download starts.
			for i, arg := range c.Args().Slice() {
				switch {
				case strings.HasPrefix(arg, hub.Scheme):
					ref, err := hub.ParseRef(arg)
					if err != nil {
						return usageError("models pull: %v", err)
					}
					pulls[i] = func() (hub.Result, error) {
						return client.Download(c.Context, ref, out, byteProgress(c, ref.Name()))
					}
				case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
					name, err := hub.URLFileName(arg)
					if err != nil {
						return usageError("models pull: %v", err)
					}
					pulls[i] = func() (hub.Result, error) {
						return client.DownloadURL(c.Context, arg, out, byteProgress(c, name))
					}
				default:
					if _, err := readGGUFHeader(arg); err != nil {
						return usageError("models pull: %s is neither hf://, an http(s) URL nor a readable GGUF file: %v", arg, err)
					}
					pulls[i] = func() (hub.Result, error) { return copyIntoStore(arg, out) }
				}
			}
			for _, pull := range pulls {
				res, err := pull()
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

// copyIntoStore copies a local model file into dir under its own name,
// through a temporary file so the store never holds half a copy.
func copyIntoStore(src, dir string) (hub.Result, error) {
	dest := filepath.Join(dir, filepath.Base(src))
	if a, errA := os.Stat(src); errA == nil {
		if b, errB := os.Stat(dest); errB == nil && os.SameFile(a, b) {
			return hub.Result{Path: dest, Size: a.Size()}, nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return hub.Result{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return hub.Result{}, err
	}
	var n int64
	err = atomicfile.Write(dest, func(w io.Writer) error {
		copied, err := io.Copy(w, in)
		n = copied
		return err
	})
	if err != nil {
		return hub.Result{}, fmt.Errorf("copy %s into %s: %w", src, dir, err)
	}
	return hub.Result{Path: dest, Size: n}, nil
}
