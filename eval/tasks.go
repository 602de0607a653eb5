package eval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Task is one problem in the HumanEval format. Language is codeloom's
// addition: "python" (the default when absent) or "go". For Python the
// program run is Prompt + completion + Test + "check(EntryPoint)"; for Go,
// Prompt + completion is the file of package Prompt declares and Test is a
// whole _test.go file of the same package.
type Task struct {
	TaskID            string `json:"task_id"`
	Prompt            string `json:"prompt"`
	CanonicalSolution string `json:"canonical_solution"`
	Test              string `json:"test"`
	EntryPoint        string `json:"entry_point"`
	Language          string `json:"language,omitempty"`
}

// Task languages the harness runs.
const (
	LangPython = "python"
	LangGo     = "go"
)

// Sample is one completion of a task, as the reference harness reads them
// (one JSON object per line); a task may have many.
type Sample struct {
	TaskID     string `json:"task_id"`
	Completion string `json:"completion"`
}

// LoadTasks reads a task file: JSONL, gzip-compressed or not (the gzip magic
// number decides, not the name). Task ids must be unique and languages known.
func LoadTasks(path string) ([]Task, error) {
	tasks, err := readJSONL[Task](path)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(tasks))
	for i := range tasks {
		t := &tasks[i]
		if t.Language == "" {
			t.Language = LangPython
		}
		t.Language = strings.ToLower(t.Language)
		switch {
		case t.TaskID == "":
			return nil, fmt.Errorf("tasks %s: task %d has no task_id", path, i+1)
		case seen[t.TaskID]:
			return nil, fmt.Errorf("tasks %s: task_id %q appears twice", path, t.TaskID)
		case t.Language != LangPython && t.Language != LangGo:
			return nil, fmt.Errorf("tasks %s: task %s: language %q is not python or go", path, t.TaskID, t.Language)
		case t.Language == LangPython && t.EntryPoint == "":
			return nil, fmt.Errorf("tasks %s: task %s has no entry_point", path, t.TaskID)
		}
		seen[t.TaskID] = true
	}
	return tasks, nil
}

// LoadSamples reads a completions file (JSONL, optionally gzipped).
func LoadSamples(path string) ([]Sample, error) {
	return readJSONL[Sample](path)
}

func readJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var out []T
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
