package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/internal/atomicfile"
	"github.com/codeloom/codeloom/modelstore"
)

// finishedRun returns the recorded result of the run in cfg.Out, and a
// message saying so, when resuming it has nothing left to do: train.json
// says it completed (all total steps) or stopped early, at the step of its
// latest checkpoint. Like a Hugging Face Trainer resumed from its last
// checkpoint, that is not an error; unlike it, nothing is evaluated or
// written again, so the run's files stay byte for byte as they were. A run
// that was cancelled, killed, or is given more steps than it ran is not
// finished.
func finishedRun(cfg Config, total int) (*Result, string, error) {
	sum, err := modelstore.ReadTrain(cfg.Out)
	var res *Result
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", nil
	case errors.As(err, new(*fs.PathError)): // not read, as opposed to not JSON
		return nil, "", fmt.Errorf("resume: %w", err)
	case err == nil:
		err = json.Unmarshal(sum.Result, &res)
	}
	if err != nil || res == nil {
		return nil, "", fmt.Errorf("resume: %s is malformed", modelstore.TrainFile)
	}
	dir, err := latestCheckpoint(cfg.Out)
	if err != nil || dir == "" {
		return nil, "", err
	}
	var st State
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return nil, "", fmt.Errorf("resume: %w", err)
	}
	if st.Step != res.Steps {
		return nil, "", nil // trained on past train.json (and killed): continue
	}
	switch {
	case res.Status == "early_stopped":
		return res, fmt.Sprintf("%s is already finished: early stopping ended it at step %d (best validation loss at step %d); nothing to resume",
			cfg.Out, res.Steps, res.BestStep), nil
	case res.Status == "completed" && res.Steps >= total:
		return res, fmt.Sprintf("%s is already finished: completed %d of %d steps; nothing to resume (raise --max-steps or --epochs to train further)",
			cfg.Out, res.Steps, total), nil
	}
	return nil, "", nil
}

// trimMetrics keeps the lines of the metrics file at path whose step is at
// most step, and drops the rest: those a killed run wrote after its last
// checkpoint, and a last line it left half written. It returns how many
// lines it dropped and rewrites the file only when there are some.
func trimMetrics(path string, step int) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var keep []byte
	dropped := 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		b = b[len(line):]
		var l struct{ Step *int }
		if line[len(line)-1] != '\n' || json.Unmarshal(line, &l) != nil || l.Step == nil || *l.Step > step {
			dropped++
			continue
		}
		keep = append(keep, line...)
	}
	if dropped == 0 {
		return 0, nil
	}
	return dropped, atomicfile.WriteFile(path, keep)
}

// removeLitter removes the temporary files and folders that a run killed
// with SIGKILL left in the run folder out: a checkpoint or train.json being
// written. Each is named after its process and removed only when that
// process is gone (see atomicfile.RemoveStale); an earlier codeloom's names
// and the adapter's temporaries, which carry no pid, once they are a day
// old.
func removeLitter(out string, report func(Event)) error {
	root := filepath.Join(out, modelstore.CheckpointsDir)
	for _, l := range []struct{ dir, prefix string }{
		{root, checkpointTemp},
		{root, atomicfile.TempPrefix(checkpointLatest)},
		{out, atomicfile.TempPrefix(modelstore.TrainFile)},
		{out, atomicfile.TempPrefix(MetricsFile)},
		{out, "." + modelstore.AdapterFile + ".tmp-"}, // gguf.Write's names
		{out, "." + modelstore.ModelFile + ".tmp-"},
	} {
		removed, err := atomicfile.RemoveStale(l.dir, l.prefix, atomicfile.LegacyAge)
		if err != nil {
			return err
		}
		for _, name := range removed {
			report(Event{Kind: "info", Message: "removed " + filepath.Join(l.dir, name) + ", left by a killed run"})
		}
	}
	return nil
}
