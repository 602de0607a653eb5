// Package extract turns source repositories into a dataset of functions:
// sources (git URLs cloned with go-git, local folders, @list files; see
// package source, which opens them) are walked, each file's language found
// in the registry (Languages), parsed
// with tree-sitter, and every function becomes a dataset.Record with its
// signature, docstring and body. The records are filtered, redacted,
// deduplicated across all sources and split into train and validation, and
// the dataset folder (JSONL shards and manifest.json) is written atomically.
// A source that fails is recorded in the manifest while the others go on;
// a rerun redoes only the sources not finished before.
//
//	m, err := extract.Run(ctx, extract.Options{
//		Sources: []string{"https://github.com/psf/requests", "./mycode"},
//		Out:     "datasets/web",
//	})
//
// The files by concern: options.go and run.go (the run and its assembly),
// source_run.go and pool.go (one source, and the parsing workers), walk.go
// and read.go (listing and reading a source's files), content.go and
// license.go (what a file or repository is), languages.go, spec.go and
// specs.go (the registry), parse.go, functions.go, names.go, docstring.go
// and trivial.go (parsing into functions), parts.go (per-source results in
// the cache). Run leaves GOMAXPROCS alone; the commands that call it give
// its workers a spare processor.
//
// docs/extract.md describes the command, the sources and the record fields.
package extract
