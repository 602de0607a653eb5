package extract

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/codeloom/codeloom/dataset"
)

// manifestWithoutTime is a dataset's manifest with its creation time, the
// one thing two runs of the same extraction differ in, set to zero.
func manifestWithoutTime(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m dataset.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m.CreatedAt = time.Time{}
	out, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRunKeptPartsSameOutput checks that a run which keeps its parts in
// memory for assembly writes the same dataset, Parquet shards and manifest
// as one which reads every part back (a budget of 0), whether all its
// sources are fresh or one of them is resumed from an earlier run.
func TestRunKeptPartsSameOutput(t *testing.T) {
	sources := manySources(t)
	for _, resumed := range []bool{false, true} {
		outs := map[int64]string{}
		for _, budget := range []int64{keepBudget, 0} {
			o := testOptions(t, sources...)
			o.Parquet, o.ShardRecords = true, 20 // several shards
			if resumed {
				first := o
				first.Sources = sources[1:2]
				if _, err := run(context.Background(), first, budget); err != nil {
					t.Fatal(err)
				}
			}
			m, err := run(context.Background(), o, budget)
			if err != nil {
				t.Fatal(err)
			}
			if m.Sources[1].Resumed != resumed || m.Total.Kept == 0 || m.Total.DuplicateExact == 0 {
				t.Fatalf("resumed=%v budget=%d: source 1 resumed %v, kept %d, exact duplicates %d",
					resumed, budget, m.Sources[1].Resumed, m.Total.Kept, m.Total.DuplicateExact)
			}
			outs[budget] = o.Out
		}
		kept, read := outs[keepBudget], outs[0]
		if !mapsEqual(datasetFiles(t, kept), datasetFiles(t, read)) {
			t.Errorf("resumed=%v: dataset files differ between parts kept and parts read back", resumed)
		}
		if a, b := manifestWithoutTime(t, kept), manifestWithoutTime(t, read); a != b {
			t.Errorf("resumed=%v: manifests differ:\nkept %s\nread %s", resumed, a, b)
		}
	}
}

// TestKeepFilesBudget checks that a source's results are kept only while
// the budget has room for them, and that what they take is counted.
func TestKeepFilesBudget(t *testing.T) {
	dir := manySources(t)[0]
	for _, tc := range []struct {
		budget int64
		kept   bool
	}{{keepBudget, true}, {1, false}, {0, false}} {
		o := testOptions(t, dir)
		if err := o.setDefaults(); err != nil {
			t.Fatal(err)
		}
		r := &runner{o: &o, partsDir: t.TempDir()}
		r.keepBytes.Store(tc.budget)
		r.pool = startPool(context.Background(), 2, o.ParseTimeout, o.MaxFileBytes, o.Progress)
		res := r.extractSource(context.Background(), dir)
		r.pool.stop()
		if res.Status.Status != StatusOK {
			t.Fatalf("budget %d: %+v", tc.budget, res.Status)
		}
		if (res.files != nil) != tc.kept {
			t.Errorf("budget %d: kept %v, want %v", tc.budget, res.files != nil, tc.kept)
		}
		left := tc.budget
		if tc.kept {
			left -= memorySize(res.files)
		}
		if got := r.keepBytes.Load(); got != left || (tc.kept && got >= tc.budget) {
			t.Errorf("budget %d: %d left, want %d", tc.budget, got, left)
		}
	}
}
