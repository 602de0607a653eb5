package dataset

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func TestWriterCommitAndReplace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	write := func(n int) {
		w, err := Create(dir, WriterOptions{ShardRecords: 3})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := w.Write(&Record{ID: fmt.Sprint(i), Name: fmt.Sprint("f", i), Code: "<b>&</b>"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(&Manifest{Tool: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	write(7)
	m, err := ReadManifest(dir)
	if err != nil || len(m.Shards) != 3 || m.Shards[2] != "data-00002.jsonl" {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	write(2) // replaces the first dataset whole
	var names []string
	if err := Read(context.Background(), dir, func(r *Record) error {
		names = append(names, r.Name)
		if r.Code != "<b>&</b>" {
			t.Errorf("code %q", r.Code)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[f0 f1]" {
		t.Errorf("records after replace: %v", names)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("leftovers beside the dataset: %v", entries)
	}
}

func TestWriterAbortKeepsPrevious(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	w, _ := Create(dir, WriterOptions{})
	w.Write(&Record{Name: "old"})
	if err := w.Commit(&Manifest{}); err != nil {
		t.Fatal(err)
	}
	w, _ = Create(dir, WriterOptions{})
	w.Write(&Record{Name: "new"})
	w.Abort()
	var names []string
	Read(context.Background(), dir, func(r *Record) error { names = append(names, r.Name); return nil })
	if fmt.Sprint(names) != "[old]" {
		t.Errorf("after abort: %v", names)
	}
}

func TestWriterEmptyDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	w, _ := Create(dir, WriterOptions{})
	if err := w.Commit(&Manifest{}); err != nil {
		t.Fatal(err)
	}
	if err := Read(context.Background(), dir, func(*Record) error { return fmt.Errorf("record in empty dataset") }); err != nil {
		t.Fatal(err)
	}
}

func TestSplitFor(t *testing.T) {
	val := 0
	for i := range 10000 {
		s := SplitFor("repo", fmt.Sprintf("pkg/file%d.go", i), 0.2)
		if s != SplitFor("repo", fmt.Sprintf("pkg/file%d.go", i), 0.2) {
			t.Fatal("split is not deterministic")
		}
		if s == SplitValidation {
			val++
		}
	}
	if math.Abs(float64(val)/10000-0.2) > 0.02 {
		t.Errorf("validation share %.3f, want about 0.2", float64(val)/10000)
	}
	if SplitFor("r", "a.go", 0) != SplitTrain {
		t.Error("ratio 0 gave validation")
	}
}

func TestIDAndTokens(t *testing.T) {
	if ID("func f() {\n\treturn\n}") != ID("func f() {  return }") {
		t.Error("ID depends on whitespace")
	}
	if ID("a") == ID("b") || len(ID("a")) != 64 {
		t.Error("ID is not a SHA-256 of the code")
	}
	fp := NewFingerprint("total += values[i] // accumulate")
	if n := fp.Tokens(); n != 11 { // accumulate counts as two
		t.Errorf("Tokens = %d, want 11", n)
	}
}

// TestWriterParquet writes Parquet twins of the shards and reads them back
// with the Parquet library's own reader.
func TestWriterParquet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	w, err := Create(dir, WriterOptions{ShardRecords: 2, Parquet: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{ID: "a", Name: "f", Code: "def f():\n    return 1", StartLine: 3, EndLine: 4, Split: SplitTrain, URL: ""},
		{ID: "b", Name: "g", Code: "func g() {}", Complexity: 2, Tokens: 5, Split: SplitValidation, Language: "go"},
		{ID: "c", Name: "h", QualifiedName: "K.h", Docstring: "Doc — ünïcode."},
	}
	for i := range want {
		if err := w.Write(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	m := &Manifest{}
	if err := w.Commit(m); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(m.ParquetShards) != "[data-00000.parquet data-00001.parquet]" {
		t.Fatalf("parquet shards %v", m.ParquetShards)
	}
	var got []Record
	for _, name := range m.ParquetShards {
		rows, err := parquet.ReadFile[Record](filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rows...)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read back %+v\nwant %+v", got, want)
	}
	f, _ := os.Open(filepath.Join(dir, m.ParquetShards[0]))
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range pf.Schema().Fields() {
		cols = append(cols, c.Name())
	}
	if want := "[id repo commit path url license language name qualified_name kind signature docstring code start_line end_line complexity tokens split]"; fmt.Sprint(cols) != want {
		t.Errorf("columns %v", cols)
	}
}

// deadPid is the pid of a process that ran and has been reaped, as one
// killed with SIGKILL is.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	return cmd.Process.Pid
}

// A run killed with SIGKILL leaves its half-written dataset folder; the next
// run writing the same dataset removes it, and leaves alone what another
// live run is writing and everything else in the folder.
func TestWriterRemovesKilledRunsFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ds")
	killed, err := Create(dir, WriterOptions{ShardRecords: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := killed.Write(&Record{ID: fmt.Sprint(i), Code: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	killed.bw.Flush()
	// The folder as the killed process left it: named after its pid.
	litter := filepath.Join(parent, fmt.Sprintf(".ds.tmp-pid%d-123", deadPid(t)))
	if err := os.Rename(killed.tmp, litter); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	keep := []string{
		fmt.Sprintf(".ds.tmp-pid%d-456", live.Process.Pid), // another run still writing ds
		fmt.Sprintf(".other.tmp-pid%d-1", deadPid(t)),      // another dataset's: not ours to judge here
		"notes.tmp-pid1-2", // not a codeloom name
	}
	for _, k := range keep {
		if err := os.MkdirAll(filepath.Join(parent, k), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	w, err := Create(dir, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&Record{ID: "new", Code: "y"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(&Manifest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(litter); !os.IsNotExist(err) {
		t.Errorf("the killed run's folder survived: %v", err)
	}
	for _, k := range keep {
		if _, err := os.Stat(filepath.Join(parent, k)); err != nil {
			t.Errorf("%s was removed: %v", k, err)
		}
	}
	if m, err := ReadManifest(dir); err != nil || len(m.Shards) != 1 {
		t.Errorf("the new dataset: %+v, %v", m, err)
	}
}
