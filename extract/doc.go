// Package extract turns source repositories into a dataset of functions:
// sources (git URLs cloned with go-git, local folders, @list files) are
// walked, each file's language found in the registry (Languages), parsed
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
// docs/extract.md describes the command, the sources and the record fields.
package extract
