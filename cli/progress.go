package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/codeloom/codeloom/hub"
)

// plainEvery is how often a progress line is printed at the latest when
// stderr is not a terminal, besides one line per tenth of the work.
const plainEvery = 10 * time.Second

// isTerminal reports whether w is a terminal: only there are progress bars
// redrawn with carriage returns; in a log file every frame would stay.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// byteProgress shows a download of name on stderr: a byte-count bar on a
// terminal, made once the size is known; plain lines elsewhere.
func byteProgress(c *ucli.Context, name string) hub.Progress {
	return newByteProgress(c.App.ErrWriter, name)
}

func newByteProgress(w io.Writer, name string) hub.Progress {
	if !isTerminal(w) {
		p := &plainProgress{w: w, label: name, step: -1}
		return func(done, total int64) {
			p.report(done, total, func() string {
				if total < 0 {
					return humanBytes(done)
				}
				return humanBytes(done) + " / " + humanBytes(total)
			})
		}
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(name),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowTotalBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
			)
		}
		bar.Set64(done)
	}
}

// newStageProgress shows each stage of an evaluation on w: one bar per
// stage on a terminal, plain lines elsewhere.
func newStageProgress(w io.Writer) func(stage string, done, total int) {
	tty := isTerminal(w)
	var bar *progressbar.ProgressBar
	var plain *plainProgress
	current := ""
	return func(stage string, done, total int) {
		if !tty {
			if plain == nil || stage != current {
				current, plain = stage, &plainProgress{w: w, label: stage, step: -1}
			}
			plain.report(int64(done), int64(total), func() string { return fmt.Sprintf("%d/%d", done, total) })
			return
		}
		if stage != current {
			current = stage
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(stage),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
			)
		}
		bar.Set(done)
	}
}

// plainProgress prints a line when the work passes another tenth, and
// otherwise at most every plainEvery, so a log holds a bounded number of
// lines and no carriage returns.
type plainProgress struct {
	w     io.Writer
	label string
	step  int // tenths printed so far; -1 before the first line
	last  time.Time
}

func (p *plainProgress) report(done, total int64, amount func() string) {
	step := p.step
	if total > 0 {
		step = int(min(done, total) * 10 / total)
	}
	if step <= p.step && time.Since(p.last) < plainEvery {
		return
	}
	p.step, p.last = max(step, 0), time.Now()
	if total > 0 {
		fmt.Fprintf(p.w, "%s: %d%% %s\n", p.label, min(done, total)*100/total, amount())
		return
	}
	fmt.Fprintf(p.w, "%s: %s\n", p.label, amount())
}
