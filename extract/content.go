package extract

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/go-enry/go-enry/v2"
)

// contentSkipReason tells files that are not hand-written source apart by
// their bytes: binary (NUL bytes), not UTF-8, generated, or minified.
func contentSkipReason(rel string, b []byte) string {
	switch {
	case enry.IsBinary(b):
		return SkipBinary
	case !utf8.Valid(b):
		return SkipInvalidUTF8
	case isMinified(b):
		return SkipMinified
	case isGenerated(rel, b):
		return SkipGenerated
	}
	return ""
}

// isGenerated is enry.IsGenerated, asked only when mayBeGenerated says it
// could answer yes: enry builds slices of lines for each of its rules, and
// that garbage costs more than the rules themselves on the files (nearly
// all) that no rule fits.
func isGenerated(rel string, b []byte) bool {
	return mayBeGenerated(rel, b) && enry.IsGenerated(rel, b)
}

// The hints below are derived by hand from go-enry v2.9.6's rules
// (data.GeneratedCodeExtensions, GeneratedCodeNameMatchers and
// GeneratedCodeMatchers): each rule that can say yes needs one of them.
// TestGeneratedHintsCoverEnry fails when enry's rules change in number.
var (
	// generatedPathHints: every path rule needs one of these, lower-cased,
	// in the path.
	generatedPathHints = []string{
		".idea/", "pods/", "carthage/build/", ".designer.", ".feature.cs", "node_modules/", "vendor/",
		".pnp.", "godeps/", ".zep.", "__generated__/", "_tlb.pas", "htmlcov/", ".sqlx/", ".terraform.lock.hcl",
		"ppport.h", ".js.map", ".css.map",
	}
	// generatedPathSuffixes: the lock files and manifests enry names.
	generatedPathSuffixes = []string{"lock", ".json", ".yaml", ".orig"}
	// generatedExtensions have rules that read past the head of a file or
	// look for no fixed text there: enry is always asked about them.
	generatedExtensions = map[string]bool{
		".nib": true, ".xcworkspacedata": true, ".xcuserstate": true,
		".js": true, ".css": true, ".xml": true, ".ps": true, ".eps": true, ".pfa": true, ".yml": true,
		".html": true, ".htm": true, ".xhtml": true, ".dart": true, ".mod": true, ".meta": true,
		".yy": true, ".yyp": true,
	}
	// generatedHeadHints: the other content rules look at most at the first
	// generatedHeadLines lines for a text holding one of these.
	generatedHeadHints = [][]byte{[]byte("enerated"), []byte("GIMP")}
	// sourceMapPrefixes start the first line of a source map.
	sourceMapPrefixes = [][]byte{[]byte(`{"version":`), []byte("/** Begin line maps")}
)

const generatedHeadLines = 40

// mayBeGenerated is false only where none of enry's generated-code rules
// can match. Paths that are not ASCII go to enry, since its case-blind
// patterns fold some non-ASCII letters onto ASCII ones.
func mayBeGenerated(rel string, b []byte) bool {
	lower := strings.ToLower(rel)
	if !isASCII(rel) || generatedExtensions[path.Ext(lower)] {
		return true
	}
	for _, h := range generatedPathHints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	for _, s := range generatedPathSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	for _, p := range sourceMapPrefixes {
		if bytes.HasPrefix(b, p) {
			return true
		}
	}
	head := firstLines(b, generatedHeadLines)
	for _, h := range generatedHeadHints {
		if bytes.Contains(head, h) {
			return true
		}
	}
	return false
}

// firstLines is b up to the end of its nth line.
func firstLines(b []byte, n int) []byte {
	end := 0
	for range n {
		i := bytes.IndexByte(b[end:], '\n')
		if i < 0 {
			return b
		}
		end += i + 1
	}
	return b[:end]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isMinified spots files squeezed onto few long lines: an average line
// over 200 bytes, or any line over 10,000.
func isMinified(b []byte) bool {
	if len(b) < 1024 {
		return false
	}
	lines := bytes.Count(b, []byte{'\n'}) + 1
	return len(b)/lines > 200 || hasLineOver(b, 10_000)
}

// hasLineOver tells whether a line of b is longer than n bytes without
// going through b line by line: from a line's start, the next n+1 bytes
// hold a newline unless that line is too long, and the last of their
// newlines starts the next window.
func hasLineOver(b []byte, n int) bool {
	for len(b) > n {
		i := bytes.LastIndexByte(b[:n+1], '\n')
		if i < 0 {
			return true
		}
		b = b[i+1:]
	}
	return false
}
