package dataset

import "time"

// ManifestFile is the name of the manifest inside a dataset folder.
const ManifestFile = "manifest.json"

// Manifest describes how a dataset was made and what it holds.
type Manifest struct {
	Tool      string         `json:"tool"`       // "codeloom VERSION"
	CreatedAt time.Time      `json:"created_at"` // UTC
	Settings  map[string]any `json:"settings"`   // filters, dedup threshold, split ratio, ...
	Sources   []SourceStatus `json:"sources"`
	// Languages holds counts per language, keyed by registry name.
	Languages map[string]*Counts `json:"languages"`
	// Total is the sum over languages.
	Total Counts `json:"total"`
	// Splits counts kept records per split name.
	Splits map[string]int `json:"splits"`
	// Shards lists the JSONL files of the dataset, in order.
	Shards []string `json:"shards"`
	// ParquetShards lists the same records as Parquet files, when written.
	ParquetShards []string `json:"parquet_shards,omitempty"`
}

// SourceStatus is one extraction source and how it went.
type SourceStatus struct {
	Source  string `json:"source"`          // as given on the command line
	Repo    string `json:"repo"`            // normalized name written into records
	Commit  string `json:"commit"`          // resolved SHA, "" for plain folders
	License string `json:"license"`         // SPDX id, "" when none found
	Status  string `json:"status"`          // "ok", "failed", "skipped"
	Error   string `json:"error,omitempty"` // why it failed
	Counts  Counts `json:"counts"`
	// Resumed is set when the source's extraction was reused from an
	// earlier run instead of done again.
	Resumed bool `json:"resumed,omitempty"`
	// SkippedFiles lists files left out with an error worth reading (a
	// symlink leading outside, a parse timeout, ...), at most
	// MaxSkippedFiles of them; Counts.FilesSkippedBy counts them all.
	SkippedFiles []SkippedFile `json:"skipped_files,omitempty"`
}

// MaxSkippedFiles bounds SourceStatus.SkippedFiles.
const MaxSkippedFiles = 100

// SkippedFile is one file an extraction left out.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"` // a key of Counts.FilesSkippedBy
	Error  string `json:"error,omitempty"`
}

// Counts are the numbers kept for a language, a source or the whole dataset.
type Counts struct {
	FilesSeen      int            `json:"files_seen"`
	FilesSkipped   int            `json:"files_skipped"`
	FilesSkippedBy map[string]int `json:"files_skipped_by,omitempty"` // per reason, e.g. "binary", "too_large"
	Bytes          int64          `json:"bytes"`
	Functions      int            `json:"functions"`       // found by the parser
	Removed        map[string]int `json:"removed"`         // per filter name, e.g. "too_short", "syntax_error"
	DuplicateExact int            `json:"duplicate_exact"` // removed as exact duplicates
	DuplicateNear  int            `json:"duplicate_near"`  // removed as near duplicates
	Redactions     map[string]int `json:"redactions"`      // per kind, e.g. "email", "private_key"
	Kept           int            `json:"kept"`
}
