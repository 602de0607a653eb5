package analysis

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestJSONKeysDocumented keeps docs/analyze.md in step with analysis.json:
// every key written, for one dataset and for two, is named there.
func TestJSONKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/analyze.md")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	collectKeys(t, knownReport(t), keys)
	collectKeys(t, twoRuns(t), keys)
	for k := range keys {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("JSON key %q is not documented in docs/analyze.md", k)
		}
	}
	if len(keys) < 40 {
		t.Errorf("only %d keys found: the walk is broken", len(keys))
	}
}

// dataKeys are objects whose keys are data (filter names, split names,
// settings), not part of the schema.
var dataKeys = []string{"splits", "removed", "redactions", "settings", "files_skipped_by"}

func collectKeys(t *testing.T, v any, keys map[string]bool) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			for k, c := range n {
				keys[k] = true
				if !slices.Contains(dataKeys, k) {
					walk(c)
				}
			}
		case []any:
			for _, c := range n {
				walk(c)
			}
		}
	}
	walk(tree)
}
