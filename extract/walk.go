package extract

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"regexp/syntax"
	"strings"

	"github.com/go-enry/go-enry/v2/data"
	"github.com/go-enry/go-enry/v2/regex"
	ignore "github.com/sabhiram/go-gitignore"
)

// Reasons a file is skipped: the keys of Counts.FilesSkippedBy.
const (
	SkipTooLarge     = "too_large"
	SkipBinary       = "binary"
	SkipInvalidUTF8  = "invalid_utf8"
	SkipGenerated    = "generated"
	SkipMinified     = "minified"
	SkipSymlink      = "symlink"
	SkipSymlinkOut   = "symlink_outside_source"
	SkipParseTimeout = "parse_timeout"
	SkipParseError   = "parse_error"
	SkipReadError    = "read_error"
	SkipNotRegular   = "not_regular_file" // a named pipe, device or socket
)

// fileEntry is a source file in a supported language, found by the walk.
type fileEntry struct {
	rel  string // slash-separated, relative to the source root
	abs  string
	root string // the source root, symlinks resolved; "" to open abs as it is
	lang *Language
	size int64
}

// skippedFile is a file the walk or the parse left out, and why.
type skippedFile struct {
	rel, lang, reason, err string
}

// walker lists the files of a folder that extraction reads.
type walker struct {
	root     string // absolute, symlinks resolved
	langs    map[string]bool
	maxBytes int64
	ignores  map[string]*ignore.GitIgnore // by folder, relative to root
	files    []fileEntry
	skipped  []skippedFile
}

// listFiles walks root in lexical order and returns the files to parse,
// honouring .gitignore files at every level. Version control, vendored and
// ignored folders are not entered; oversized files and symlinks are
// reported as skipped. langs restricts the languages (empty: all).
func listFiles(ctx context.Context, root string, langs map[string]bool, maxBytes int64) ([]fileEntry, []skippedFile, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, err
	}
	w := &walker{root: real, langs: langs, maxBytes: maxBytes, ignores: map[string]*ignore.GitIgnore{}}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == real {
				return err
			}
			w.skip(p, "", SkipReadError, err.Error())
			return nil
		}
		return w.visit(p, d)
	})
	return w.files, w.skipped, err
}

func (w *walker) rel(p string) string {
	r, _ := filepath.Rel(w.root, p)
	return filepath.ToSlash(r)
}

func (w *walker) visit(p string, d fs.DirEntry) error {
	rel := w.rel(p)
	if d.IsDir() {
		if rel == "." {
			w.loadIgnore(p, rel)
			return nil
		}
		if d.Name() == ".git" || w.ignored(rel+"/") || isVendor(rel+"/") {
			return filepath.SkipDir
		}
		w.loadIgnore(p, rel)
		return nil
	}
	lang := LanguageForPath(rel)
	if lang == nil || !w.wanted(lang, rel) || w.ignored(rel) || isVendor(rel) {
		return nil
	}
	if d.Type()&fs.ModeSymlink != 0 {
		w.symlink(p, rel, lang)
		return nil
	}
	if !d.Type().IsRegular() {
		// Reading a pipe waits for a writer and a device may never end:
		// skipped, and counted like the other files left out.
		w.skip(rel, lang.Name, SkipNotRegular, "a "+fileKind(d.Type(), 0))
		return nil
	}
	info, err := d.Info()
	if err != nil {
		w.skip(rel, lang.Name, SkipReadError, err.Error())
		return nil
	}
	if w.maxBytes > 0 && info.Size() > w.maxBytes {
		w.skip(rel, lang.Name, SkipTooLarge, "")
		return nil
	}
	w.files = append(w.files, fileEntry{rel: rel, abs: p, root: w.root, lang: lang, size: info.Size()})
	return nil
}

// vendorRule is one of enry's vendor patterns and a text that every path
// it matches holds.
type vendorRule struct {
	re      regex.EnryRegexp
	literal string
}

// vendorRules are enry's vendor patterns, each with the longest literal
// it needs. enry.IsVendor runs one regexp of all the patterns over every
// path, which costs more than the rest of the walk; a literal rules out
// nearly every pattern for a path before its regexp runs.
var vendorRules = func() []vendorRule {
	var rules []vendorRule
	for _, re := range data.VendorMatchers {
		if re == nil {
			continue // a pattern enry's engine cannot run, and enry skips
		}
		rules = append(rules, vendorRule{re: re, literal: neededLiteral(re.String())})
	}
	return rules
}()

// isVendor is enry.IsVendor: whether a path is vendored or third-party.
func isVendor(rel string) bool {
	for i := range vendorRules {
		if r := &vendorRules[i]; strings.Contains(rel, r.literal) && r.re.MatchString(rel) {
			return true
		}
	}
	return false
}

// neededLiteral is the longest text that every match of the pattern
// holds, "" when it cannot tell.
func neededLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	return literalOf(re)
}

func literalOf(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return string(re.Rune)
		}
	case syntax.OpCapture, syntax.OpPlus:
		return literalOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return literalOf(re.Sub[0])
		}
	case syntax.OpConcat:
		longest := ""
		for _, sub := range re.Sub {
			if l := literalOf(sub); len(l) > len(longest) {
				longest = l
			}
		}
		return longest
	}
	return ""
}

// wanted tells whether a file's language is extracted; a C header may turn
// out to be C++ (see DetectLanguage), so it is read when either is wanted.
func (w *walker) wanted(lang *Language, rel string) bool {
	if len(w.langs) == 0 || w.langs[lang.Name] {
		return true
	}
	return lang.Name == "c" && w.langs["cpp"] && strings.EqualFold(path.Ext(rel), ".h")
}

// symlink never follows links: a link inside the source points at a file
// the walk reads anyway, and one that leads outside is reported.
func (w *walker) symlink(p, rel string, lang *Language) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.skip(rel, lang.Name, SkipSymlink, err.Error())
		return
	}
	if r, err := filepath.Rel(w.root, target); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		w.skip(rel, lang.Name, SkipSymlinkOut, "symlink leads outside the source to "+target)
		return
	}
	w.skip(rel, lang.Name, SkipSymlink, "")
}

func (w *walker) skip(rel, lang, reason, err string) {
	w.skipped = append(w.skipped, skippedFile{rel: rel, lang: lang, reason: reason, err: err})
}

func (w *walker) loadIgnore(dir, rel string) {
	gi, err := ignore.CompileIgnoreFile(filepath.Join(dir, ".gitignore"))
	if err == nil {
		w.ignores[rel] = gi
	} else if !errors.Is(err, fs.ErrNotExist) {
		w.skip(rel+"/.gitignore", "", SkipReadError, err.Error())
	}
}

// ignored checks rel against the .gitignore of each folder above it, each
// with the path relative to that folder.
func (w *walker) ignored(rel string) bool {
	dir := path.Dir(strings.TrimSuffix(rel, "/"))
	for {
		if gi := w.ignores[dir]; gi != nil {
			sub := rel
			if dir != "." {
				sub = strings.TrimPrefix(rel, dir+"/")
			}
			if gi.MatchesPath(sub) {
				return true
			}
		}
		if dir == "." {
			return false
		}
		dir = path.Dir(dir)
	}
}
