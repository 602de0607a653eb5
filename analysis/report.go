package analysis

import "time"

// SchemaVersion is written into analysis.json as "schema"; it changes only
// when a key is renamed or removed, never when one is added.
const SchemaVersion = 1

// Report is everything analyze finds out about one dataset; it is written to
// analysis.json as is, so its JSON keys are the documented, stable ones (see
// docs/analyze.md).
type Report struct {
	Schema    int       `json:"schema"`
	Dataset   string    `json:"dataset"`             // folder as given
	Tool      string    `json:"tool,omitempty"`      // from the manifest
	CreatedAt time.Time `json:"created_at,omitzero"` // from the manifest
	// Total sums all languages; its Language is "all".
	Total     LanguageStats   `json:"total"`
	Languages []LanguageStats `json:"languages"` // most functions first
	Splits    map[string]int  `json:"splits"`    // records per split name
	Licenses  []LicenseStats  `json:"licenses"`  // most functions first
	Sources   []SourceStats   `json:"sources"`   // most functions first
	// Filters is nil when the dataset has no manifest.
	Filters *Filters `json:"filters"`
	// Warnings are inconsistencies found, e.g. the manifest's kept count
	// differing from the records in the shards.
	Warnings []string `json:"warnings"`
}

// LanguageStats describes the records of one language.
type LanguageStats struct {
	Language string `json:"language"`
	// Files counts distinct (repo, path) pairs; FilesEstimated says it is a
	// sketch estimate (more than 16,384 files; within about 0.5%).
	Files          int     `json:"files"`
	FilesEstimated bool    `json:"files_estimated"`
	Functions      int     `json:"functions"`
	Share          float64 `json:"share"` // of all functions, 0..1
	Lines          Dist    `json:"lines"`
	Chars          Dist    `json:"chars"`  // Unicode code points of the code
	Tokens         Dist    `json:"tokens"` // the records' approximate counts
	Complexity     Dist    `json:"complexity"`
	// Docstrings counts functions with a non-blank docstring.
	Docstrings        int     `json:"docstrings"`
	DocstringCoverage float64 `json:"docstring_coverage"` // 0..1
	// SyntaxErrors and SyntaxValidShare come from the manifest: functions
	// removed by the "syntax_error" filter, and kept / (kept +
	// syntax_errors). Both are nil without a manifest entry.
	SyntaxErrors     *int     `json:"syntax_errors"`
	SyntaxValidShare *float64 `json:"syntax_valid_share"`
}

// Dist summarises a distribution: exact mean, min and max; nearest-rank
// median and p90 (exact below 256, within 0.4% above); and a histogram.
type Dist struct {
	Mean      float64 `json:"mean"`
	Median    int64   `json:"median"`
	P90       int64   `json:"p90"`
	Min       int64   `json:"min"`
	Max       int64   `json:"max"`
	Histogram []Bin   `json:"histogram"`
}

// LicenseStats counts functions under one licence ("none" when the source
// has none).
type LicenseStats struct {
	License   string  `json:"license"`
	Functions int     `json:"functions"`
	Share     float64 `json:"share"`
}

// SourceStats is one source repository: what the records hold of it and,
// when the manifest lists it, how extraction went.
type SourceStats struct {
	Repo      string `json:"repo"`
	Source    string `json:"source,omitempty"` // as given to extract
	Commit    string `json:"commit"`
	License   string `json:"license"`
	Status    string `json:"status,omitempty"` // "ok", "failed", "skipped"
	Error     string `json:"error,omitempty"`
	Functions int    `json:"functions"` // records in the dataset
	// Found is the functions the parser found, from the manifest; nil
	// without one.
	Found *int `json:"found"`
}

// Filters is what the manifest says extraction removed, as a funnel from
// functions found to functions kept.
type Filters struct {
	FilesSeen      int            `json:"files_seen"`
	FilesSkipped   int            `json:"files_skipped"`
	FilesSkippedBy map[string]int `json:"files_skipped_by"` // per reason
	Found          int            `json:"found"`
	Removed        map[string]int `json:"removed"` // per filter name
	DuplicateExact int            `json:"duplicate_exact"`
	DuplicateNear  int            `json:"duplicate_near"`
	Kept           int            `json:"kept"`
	Redactions     map[string]int `json:"redactions"` // per kind
	Funnel         []Stage        `json:"funnel"`
	Settings       map[string]any `json:"settings"` // the manifest's, verbatim
}

// Stage is one step of the funnel and the functions left after it.
type Stage struct {
	Stage     string `json:"stage"`
	Functions int    `json:"functions"`
}
