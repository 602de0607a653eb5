package extract

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-enry/go-enry/v2"
)

// TestSourceReaderReuse reads files of several sizes through one reader,
// including one that grew after the walk measured it and one that shrank.
func TestSourceReaderReuse(t *testing.T) {
	dir := t.TempDir()
	contents := []string{strings.Repeat("a\n", 2500), "b", "", strings.Repeat("c\n", 3000), "dd"}
	hints := []int64{5000, 1, 0, 10, 100}
	var r sourceReader
	for i, want := range contents {
		p := filepath.Join(dir, "f.go")
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		src, reason, errText := r.read(fileEntry{rel: "f.go", abs: p, size: hints[i]})
		if reason != "" || errText != "" {
			t.Fatalf("file %d: skipped as %s (%s)", i, reason, errText)
		}
		if string(src) != want {
			t.Errorf("file %d: read %d bytes, want %d", i, len(src), len(want))
		}
	}
	if _, reason, errText := r.read(fileEntry{rel: "gone.go", abs: filepath.Join(dir, "gone.go")}); reason != SkipReadError || !strings.Contains(errText, "gone.go") {
		t.Errorf("missing file: reason %q, error %q", reason, errText)
	}
}

// TestVendorRules checks the literals taken from enry's patterns, and
// paths made to fit patterns whose literal is not their first text.
func TestVendorRules(t *testing.T) {
	for _, c := range []struct{ pattern, literal string }{
		{`^[Dd]ependencies/`, "ependencies/"},
		{`(^|/)[Vv]+endor/`, "endor/"},
		{`(3rd|[Tt]hird)[-_]?[Pp]arty/`, "arty/"},
		{`(^|/)knockout-(\d+\.){3}(debug\.)?js$`, "knockout-"},
		{`(a|b)`, ""},
	} {
		if got := neededLiteral(c.pattern); got != c.literal {
			t.Errorf("neededLiteral(%q) = %q, want %q", c.pattern, got, c.literal)
		}
	}
	for _, r := range vendorRules {
		if r.literal == "" {
			t.Errorf("enry's vendor pattern %s has no literal: every path pays for its regexp", r.re)
		}
	}
	for _, c := range []struct {
		rel  string
		want bool
	}{
		{"a/Dependencies/x.go", false}, {"Dependencies/x.go", true}, {"a/VVendor/x.go", true},
		{"x/third_Party/y.c", true}, {"x/thirdparty.c", false}, {"lib/jquery-1.10.2.js", true},
		{"types/x.d.ts", true}, {"src/main.go", false}, {"a/testdata/", true}, {"a/testdata", false},
	} {
		if got := isVendor(c.rel); got != c.want {
			t.Errorf("isVendor(%q) = %v, want %v", c.rel, got, c.want)
		}
	}
}

func TestVendorAgreesWithEnry(t *testing.T) {
	for _, root := range agreementTrees(t) {
		paths, vendored := 0, 0
		walkTree(t, root, func(rel string, _ fs.DirEntry) {
			want := enry.IsVendor(rel)
			if got := isVendor(rel); got != want {
				t.Errorf("%s: isVendor(%s) = %v, enry says %v", root, rel, got, want)
			}
			paths++
			if want {
				vendored++
			}
		})
		t.Logf("%s: %d paths, %d vendored", root, paths, vendored)
	}
}
