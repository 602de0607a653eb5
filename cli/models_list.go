package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/server"
)

// storeFlag names the model store the way serve does, so `models list` shows
// what `serve` serves.
func storeFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "models", Value: "models", Usage: "model store", EnvVars: []string{"CODELOOM_MODELS"}}
}

// listedModel is one row of `models list`.
type listedModel struct {
	server.Entry
	Type   string `json:"type"`   // tensor type of most matrices
	Params uint64 `json:"params"` // parameters (for adapters: the adapter's own)
	Error  string `json:"error,omitempty"`
}

func modelsListCommand() *ucli.Command {
	return &ucli.Command{
		Name:    "list",
		Aliases: []string{"ls"},
		Usage:   "list the base models and adapters in the model store",
		Flags:   []ucli.Flag{storeFlag(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 0 {
				return usageError("models list takes no arguments (the store is --models)")
			}
			cat, err := server.Scan(c.String("models"))
			if err != nil {
				return err
			}
			rows := make([]listedModel, 0, len(cat))
			for _, e := range cat.Sorted() {
				row := listedModel{Entry: *e, Type: "-"}
				// A file that is not GGUF is still listed, so that rm can
				// be found for it.
				if h, err := readGGUFHeader(e.Path); err != nil {
					row.Error = err.Error()
				} else {
					row.Type, row.Params = h.Type, h.Params
				}
				rows = append(rows, row)
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			w := tabwriter.NewWriter(c.App.Writer, 0, 0, 3, ' ', 0)
			fmt.Fprintln(w, "NAME\tKIND\tBASE\tSIZE\tTYPE\tPARAMS")
			for _, r := range rows {
				base, params := r.Base, humanCount(r.Params)
				if base == "" {
					base = "-"
				}
				if r.Error != "" {
					params = "unreadable"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, base, humanBytes(r.SizeBytes), r.Type, params)
			}
			return w.Flush()
		},
	}
}
