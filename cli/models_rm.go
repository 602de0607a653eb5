package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/codeloom/codeloom/server"
)

func modelsRmCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rm",
		Usage:     "remove a model or an adapter from the model store",
		ArgsUsage: "NAME ...",
		Description: "Removes the folder NAME (or the file NAME.gguf) from the store. A base model that adapters in the\n" +
			"store still name as their base is kept unless --force.",
		Flags: []ucli.Flag{storeFlag(), &ucli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "also remove a base that adapters use"}},
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return usageError("models rm: name at least one model or adapter")
			}
			dir := c.String("models")
			for _, name := range c.Args().Slice() {
				if err := removeModel(dir, name, c.Bool("force")); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "removed %s\n", name)
			}
			return nil
		},
	}
}

// removeModel removes store dir's entry name: the folder dir/name or the
// file dir/name.gguf, never a base model that only a base reference points
// at outside the store.
func removeModel(dir, name string, force bool) error {
	if !server.ValidName(name) {
		return usageError("models rm: %q is not a model name", name)
	}
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err != nil {
		target += ".gguf"
		if _, err := os.Stat(target); err != nil {
			return fmt.Errorf("models rm: no model or adapter %q in %s", name, dir)
		}
	}
	if !force {
		cat, err := server.Scan(dir)
		if err != nil {
			return err
		}
		var users []string
		for _, e := range cat.Sorted() {
			if e.Kind == server.KindAdapter && e.Base == name && e.Name != name {
				users = append(users, e.Name)
			}
		}
		if len(users) > 0 {
			return fmt.Errorf("models rm: %s is the base of %s; remove those first or use --force", name, strings.Join(users, ", "))
		}
	}
	// Rename first, so that a scan (a running serve) sees the whole model
	// or nothing: a dot name is not a model name, and a removal that stops
	// half way leaves only a hidden folder behind.
	trash := filepath.Join(dir, fmt.Sprintf(".%s.rm-%d", filepath.Base(target), os.Getpid()))
	if err := os.Rename(target, trash); err != nil {
		return fmt.Errorf("models rm: %w", err)
	}
	if err := os.RemoveAll(trash); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("models rm: %s is out of the store but not yet deleted: %w", trash, err)
	}
	return nil
}
