package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/digest"
)

// Data is a dataset turned into packed windows.
type Data struct {
	Train, Val           []bindings.Window
	TrainStats, ValStats PackStats
	Records              int        // records read
	Format               DataFormat // the records' format (detected when auto was asked for)
	ManifestSHA256       string     // hash of manifest.json ("" when the data has none)
}

// DataOptions says how records become windows. The zero value detects the
// data format and scores responses only.
type DataOptions struct {
	Format        DataFormat // auto ("") tells it from the first record's fields
	ChatTemplate  string     // chat data: "" for the base model's own template, or "chatml"
	TrainOnPrompt bool       // score prompt, system and user tokens too, not only responses
	Ctx           int        // tokens per window
}

// LoadData reads the training data at path (a dataset folder, or one JSONL
// or Parquet file of any DataFormat) and packs its train and validation
// records into windows. Codeloom's records become samples in b's format.
func LoadData(ctx context.Context, path string, b SampleBuilder, opt DataOptions) (*Data, error) {
	files, err := dataFiles(path)
	if err != nil {
		return nil, err
	}
	l := &loader{b: b, opt: opt, d: &Data{Format: opt.Format}}
	if l.d.Format == "" {
		l.d.Format = DataAuto
	}
	for _, file := range files {
		unit := "line"
		if isParquet(file) {
			unit = "row"
		}
		err := eachRecord(ctx, file, func(n int, rec []byte) error {
			if err := l.record(rec); err != nil {
				de := &DataError{File: file, Unit: unit, Line: n, Err: err}
				var fe *fieldError
				if errors.As(err, &fe) {
					de.Field = fe.field
				}
				return de
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	d := l.d
	if d.Records == 0 {
		return nil, fmt.Errorf("%s has no records", path)
	}
	d.Train, d.TrainStats = Pack(l.train, opt.Ctx)
	d.Val, d.ValStats = Pack(l.val, opt.Ctx)
	if len(d.Train) == 0 {
		return nil, fmt.Errorf("%s has nothing to train on: %d %s records, %d in the train split, %d with no scored token",
			path, d.Records, d.Format, len(l.train), d.TrainStats.Dropped)
	}
	if d.ManifestSHA256, err = manifestHash(path); err != nil {
		return nil, err
	}
	return d, nil
}

// manifestHash hashes the manifest of a dataset folder; "" for a file or a
// folder without one.
func manifestHash(path string) (string, error) {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return "", err
	}
	h, err := digest.File(filepath.Join(path, dataset.ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return h, err
}

// loader turns records into samples.
type loader struct {
	b          SampleBuilder
	opt        DataOptions
	d          *Data
	chat       *chatRenderer
	train, val []Sample
}

// record adds one record; the first one settles the format.
func (l *loader) record(rec []byte) error {
	var f fields
	if err := json.Unmarshal(rec, &f); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	l.d.Records++
	if l.d.Records == 1 {
		if err := l.start(f); err != nil {
			return err
		}
	}
	var (
		s   Sample
		val bool
		err error
	)
	if l.d.Format == DataCodeloom {
		s, val, err = l.codeloom(f, rec)
	} else {
		s, val, err = l.external(f)
	}
	if err != nil {
		return err
	}
	if val {
		l.val = append(l.val, s)
	} else {
		l.train = append(l.train, s)
	}
	return nil
}

// start detects the format when asked to and checks that the options fit it.
func (l *loader) start(f fields) error {
	if l.d.Format == DataAuto {
		format, err := detectFormat(f)
		if err != nil {
			return err
		}
		l.d.Format = format
	}
	if l.d.Format != DataCodeloom && l.b.Format != "" && l.b.Format != Completion {
		return fmt.Errorf("--format %s applies to codeloom's records, and this is %s data", l.b.Format, l.d.Format)
	}
	if l.d.Format == DataChat {
		chat, err := newChatRenderer(l.b.Tok, l.opt.ChatTemplate)
		if err != nil {
			return err
		}
		l.chat = chat
	}
	return nil
}

// codeloom builds the sample of one of codeloom's records.
func (l *loader) codeloom(f fields, rec []byte) (Sample, bool, error) {
	if _, err := f.need("code", DataCodeloom); err != nil {
		return Sample{}, false, err
	}
	var r dataset.Record
	if err := json.Unmarshal(rec, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Sample{}, false, &fieldError{te.Field, fmt.Sprintf("field %q is a JSON %s, want %s", te.Field, te.Value, te.Type)}
		}
		return Sample{}, false, err
	}
	s, err := l.b.Build(&r)
	if l.opt.TrainOnPrompt {
		for i := range s.Scored {
			s.Scored[i] = true
		}
	}
	return s, r.Split == dataset.SplitValidation, err
}

// external builds the sample of an instruction, chat, completion or text
// record.
func (l *loader) external(f fields) (Sample, bool, error) {
	p, err := parseRecord(f, l.d.Format, l.chat)
	if err != nil {
		return Sample{}, false, err
	}
	if l.d.Format == DataChat && !l.opt.TrainOnPrompt && !slices.ContainsFunc(p.segs, func(s segment) bool { return s.scored }) {
		return Sample{}, false, &fieldError{"messages", `field "messages" has no assistant message, so nothing in it would be scored`}
	}
	s, err := l.b.buildSegments(p, l.opt.TrainOnPrompt)
	return s, p.val, err
}

// dataOptions are the run's options for LoadData.
func (c Config) dataOptions() DataOptions {
	return DataOptions{Format: c.DataFormat, ChatTemplate: c.ChatTemplate, TrainOnPrompt: c.TrainOnPrompt, Ctx: c.Ctx}
}
