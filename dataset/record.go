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
// are the JSONL keys (and the Parquet columns) and are documented in
// README.md; keep both in step.
type Record struct {
	ID            string `json:"id" parquet:"id"`                         // hex SHA-256 of the normalized code
	Repo          string `json:"repo" parquet:"repo"`                     // source as given (URL or folder name)
	Commit        string `json:"commit" parquet:"commit"`                 // resolved commit SHA, empty for plain folders
	Path          string `json:"path" parquet:"path"`                     // file path relative to the source root, slash-separated
	URL           string `json:"url,omitempty" parquet:"url"`             // blob URL with line anchors for GitHub sources
	License       string `json:"license" parquet:"license"`               // SPDX id of the repository licence, "" when none found
	Language      string `json:"language" parquet:"language"`             // registry name: python, go, rust, ...
	Name          string `json:"name" parquet:"name"`                     // bare function name
	QualifiedName string `json:"qualified_name" parquet:"qualified_name"` // with class/impl/receiver, e.g. "Server.Start"
	Kind          string `json:"kind" parquet:"kind"`                     // function, method, constructor
	Signature     string `json:"signature" parquet:"signature"`           // the declaration up to the body
	Docstring     string `json:"docstring" parquet:"docstring"`           // cleaned doc text, "" when none
	Code          string `json:"code" parquet:"code"`                     // the function's full text
	StartLine     int    `json:"start_line" parquet:"start_line"`         // 1-based, inclusive
	EndLine       int    `json:"end_line" parquet:"end_line"`             // 1-based, inclusive
	Complexity    int    `json:"complexity" parquet:"complexity"`         // cyclomatic complexity from the syntax tree
	Tokens        int    `json:"tokens" parquet:"tokens"`                 // approximate token count
	Split         string `json:"split" parquet:"split"`                   // SplitTrain or SplitValidation
}
