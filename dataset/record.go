// Package dataset holds codeloom's function dataset: the Record schema, the
// on-disk layout (JSONL shards plus manifest.json), quality filters,
// deduplication, the train/validation split and streaming readers.
//
// A dataset is a folder:
//
//	datasets/NAME/
//	    manifest.json        what was extracted, with which settings, and counts
//	    data-00000.jsonl     one Record per line
//	    data-00001.jsonl     ...
//
// Read it without loading it whole:
//
//	err := dataset.Read(ctx, "datasets/go", func(r *dataset.Record) error { ... })
package dataset

// Split names used in Record.Split.
const (
	SplitTrain      = "train"
	SplitValidation = "validation"
)

// Record is one function or method extracted from a source file. Field names
// are the JSONL keys and are documented in README.md; keep both in step.
type Record struct {
	ID            string `json:"id"`             // hex SHA-256 of the normalized code
	Repo          string `json:"repo"`           // source as given (URL or folder name)
	Commit        string `json:"commit"`         // resolved commit SHA, empty for plain folders
	Path          string `json:"path"`           // file path relative to the source root, slash-separated
	URL           string `json:"url,omitempty"`  // blob URL with line anchors for GitHub sources
	License       string `json:"license"`        // SPDX id of the repository licence, "" when none found
	Language      string `json:"language"`       // registry name: python, go, rust, ...
	Name          string `json:"name"`           // bare function name
	QualifiedName string `json:"qualified_name"` // with class/impl/receiver, e.g. "Server.Start"
	Kind          string `json:"kind"`           // function, method, constructor
	Signature     string `json:"signature"`      // the declaration up to the body
	Docstring     string `json:"docstring"`      // cleaned doc text, "" when none
	Code          string `json:"code"`           // the function's full text
	StartLine     int    `json:"start_line"`     // 1-based, inclusive
	EndLine       int    `json:"end_line"`       // 1-based, inclusive
	Complexity    int    `json:"complexity"`     // cyclomatic complexity from the syntax tree
	Tokens        int    `json:"tokens"`         // approximate token count
	Split         string `json:"split"`          // SplitTrain or SplitValidation
}
