package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/llm"
)

func generateCommand() *ucli.Command {
	flags := []ucli.Flag{
		&ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "GGUF model file", Required: true},
		&ucli.StringFlag{Name: "adapter", Aliases: []string{"lora"}, Usage: "LoRA adapter file (GGUF) to apply"},
		&ucli.Float64Flag{Name: "scale", Value: 1, Usage: "adapter scale"},
		&ucli.StringFlag{Name: "lora-scaled", Usage: "LoRA adapter and its scale as FILE:SCALE or FILE,SCALE (llama.cpp's --lora-scaled FILE SCALE)"},
		&ucli.StringFlag{Name: "prompt", Aliases: []string{"p"}, Usage: "prompt text (- reads standard input)"},
		&ucli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the prompt from this file"},
		&ucli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "prompt loop: Ctrl-C stops the current generation, Ctrl-D quits"},
		&ucli.IntFlag{Name: "max-tokens", Aliases: []string{"n"}, Value: 256, Usage: "tokens to generate at most"},
		&ucli.StringSliceFlag{Name: "stop", Usage: "stop before this text (repeatable)"},
		&ucli.BoolFlag{Name: "timings", Usage: "print prompt and generation speed to standard error"},
	}
	flags = append(flags, withSeedAlias(sampleFlags())...)
	flags = append(flags, modelFlags()...)
	return &ucli.Command{
		Name:   "generate",
		Usage:  "continue a prompt with a model (and adapter), streaming to standard output",
		Flags:  flags,
		Action: runGenerate,
	}
}

func runGenerate(c *ucli.Context) error {
	if err := applyLoRAScaled(c); err != nil {
		return err
	}
	if err := applyModelDefaults(c, c.String("model"), c.String("adapter")); err != nil {
		return err
	}
	if c.Int("max-tokens") <= 0 {
		return usageError("--max-tokens %d: want 1 or more", c.Int("max-tokens"))
	}
	interactive := c.Bool("interactive")
	if c.IsSet("file") && c.IsSet("prompt") {
		return usageError("generate: give --prompt or --file, not both")
	}
	if !interactive && c.String("prompt") == "" && c.String("file") == "" {
		return usageError("generate: give --prompt TEXT, --file FILE or --interactive")
	}
	opt, err := sampleOptions(c)
	if err != nil {
		return err
	}
	e, err := openSessionFlags(c, c.String("model"))
	if err != nil {
		return err
	}
	defer e.Close()
	g := generator{c: e.Context, out: c.App.Writer, errOut: c.App.ErrWriter, timings: c.Bool("timings"),
		opt: llm.GenerateOptions{SampleOptions: opt, MaxTokens: c.Int("max-tokens"), Stop: c.StringSlice("stop")}}
	if interactive {
		return g.interactive(c.Context, os.Stdin)
	}
	prompt := c.String("prompt")
	if f := c.String("file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		prompt = string(b)
	} else if prompt == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		prompt = string(b)
	}
	return g.run(c.Context, prompt)
}

// applyLoRAScaled turns --lora-scaled FILE:SCALE into --adapter FILE
// --scale SCALE, which the session is opened from. urfave/cli gives a flag
// one value, so llama.cpp's two (FILE SCALE) are joined by ':' or ','; the
// last one splits, so a path may hold either.
func applyLoRAScaled(c *ucli.Context) error {
	v := c.String("lora-scaled")
	if v == "" {
		return nil
	}
	if c.IsSet("adapter") || c.IsSet("scale") {
		return usageError("generate: give --lora-scaled FILE:SCALE or --lora FILE with --scale, not both")
	}
	i := strings.LastIndexAny(v, ":,")
	if i <= 0 {
		return usageError("generate: --lora-scaled %q: want FILE:SCALE or FILE,SCALE", v)
	}
	file, scaleText := v[:i], v[i+1:]
	if _, err := strconv.ParseFloat(scaleText, 64); err != nil {
		return usageError("generate: --lora-scaled %q: scale %q is not a number", v, scaleText)
	}
	if err := c.Set("adapter", file); err != nil {
		return err
	}
	return c.Set("scale", scaleText)
}

// withSeedAlias gives --seed llama.cpp's short name -s, on generate only:
// the sampling flags are shared with commands whose -s could mean another
// flag there.
func withSeedAlias(flags []ucli.Flag) []ucli.Flag {
	for i, f := range flags {
		if seed, ok := f.(*ucli.Int64Flag); ok && seed.Name == "seed" {
			alias := *seed
			alias.Aliases = append(slices.Clone(seed.Aliases), "s")
			flags[i] = &alias
		}
	}
	return flags
}

type generator struct {
	c       *bindings.Context
	opt     llm.GenerateOptions
	out     io.Writer
	errOut  io.Writer
	timings bool
}

func (g *generator) run(ctx context.Context, prompt string) error {
	opt := g.opt
	opt.OnPiece = func(s string) error {
		_, err := io.WriteString(g.out, s)
		return err
	}
	res, err := g.c.Generate(ctx, prompt, opt)
	fmt.Fprintln(g.out)
	if err != nil {
		return err
	}
	if g.timings {
		fmt.Fprintf(g.errOut, "prompt %d tokens %.1f tok/s, generated %d tokens %.1f tok/s, first token %s, finish %s\n",
			res.PromptTokens, res.Timings.PromptTPS, res.CompletionTokens, res.Timings.GenTPS,
			res.Timings.TTFT.Round(1e5), res.FinishReason)
	}
	return nil
}

// interactive reads prompts until end of input. On a terminal it offers
// line editing with history (up/down); Ctrl-C cancels only the generation in
// progress.
func (g *generator) interactive(ctx context.Context, in *os.File) error {
	// Ctrl-C belongs to this loop, not to the whole command.
	signal.Reset(os.Interrupt)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	read := lineReader(in, g.out)
	for {
		line, err := read()
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(g.out)
			return nil
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		genCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			select {
			case <-sigs:
				cancel()
			case <-done:
			}
		}()
		err = g.run(genCtx, line)
		close(done)
		cancel()
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			fmt.Fprintln(g.errOut, "[stopped]")
			continue
		}
		if err != nil {
			fmt.Fprintln(g.errOut, "error:", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// lineReader returns a function that reads one prompt line. On a terminal
// it uses raw-mode line editing with history; otherwise plain lines.
func lineReader(in *os.File, out io.Writer) func() (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		return func() (string, error) {
			if !sc.Scan() {
				if err := sc.Err(); err != nil {
					return "", err
				}
				return "", io.EOF
			}
			return sc.Text(), nil
		}
	}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, "> ")
	return func() (string, error) {
		// Raw mode only while editing the line, so Ctrl-C during a
		// generation arrives as a signal.
		state, err := term.MakeRaw(fd)
		if err != nil {
			return "", err
		}
		line, err := t.ReadLine()
		term.Restore(fd, state)
		return line, err
	}
}
