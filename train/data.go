package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/internal/digest"
)

// Data is a dataset turned into packed windows.
type Data struct {
	Train, Val           []bindings.Window
	TrainStats, ValStats PackStats
	Records              int    // records read
	ManifestSHA256       string // hash of manifest.json ("" when the dataset has none)
}

// LoadData reads the dataset at dir and packs its train and validation
// splits into windows of ctxLen tokens in the given format.
func LoadData(ctx context.Context, dir string, b SampleBuilder, ctxLen int) (*Data, error) {
	var train, val []Sample
	d := &Data{}
	err := dataset.Read(ctx, dir, func(r *dataset.Record) error {
		d.Records++
		s, err := b.Build(r)
		if err != nil {
			return err
		}
		if r.Split == dataset.SplitValidation {
			val = append(val, s)
		} else {
			train = append(train, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read dataset: %w", err)
	}
	if d.Records == 0 {
		return nil, fmt.Errorf("dataset %s has no records", dir)
	}
	d.Train, d.TrainStats = Pack(train, ctxLen)
	d.Val, d.ValStats = Pack(val, ctxLen)
	if len(d.Train) == 0 {
		return nil, fmt.Errorf("dataset %s has no training samples for format %s (%d records, %d in the train split, %d dropped)",
			dir, b.Format, d.Records, len(train), d.TrainStats.Dropped)
	}
	if h, err := digest.File(filepath.Join(dir, dataset.ManifestFile)); err == nil {
		d.ManifestSHA256 = h
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return d, nil
}
