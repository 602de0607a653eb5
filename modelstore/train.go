package modelstore

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// Train is train.json, the record of one training run. Fields are in the
// order of their JSON names, the order the file has always had. Result,
// Config, State and the packing counts are the trainer's own records
// (train.Result, train.Config, train.State, train.PackStats), kept here as
// the trainer wrote them: the store reads the base and the data, the trainer
// the rest.
type Train struct {
	Backend string    `json:"backend"`
	Base    TrainBase `json:"base"`
	// BaseModel is a hand-written record's name of the base, read in place
	// of Base; codeloom never writes it.
	BaseModel       string          `json:"base_model,omitempty"`
	Config          json.RawMessage `json:"config"`
	Data            TrainData       `json:"data"`
	Result          json.RawMessage `json:"result"`
	State           json.RawMessage `json:"state"`
	TokensPerSecond float64         `json:"tokens_per_second"`
	Trainable       int64           `json:"trainable"` // trainable scalars
	UnigramValLoss  float64         `json:"unigram_val_loss"`
}

// TrainBase is the base model a run trained on.
type TrainBase struct {
	Architecture string `json:"architecture"`
	Embedding    int    `json:"embedding"`
	Layers       int    `json:"layers"`
	Path         string `json:"path"` // absolute, so the store finds it from any folder
	SHA256       string `json:"sha256"`
	Type         string `json:"type"` // type of the frozen projections
	Vocab        int    `json:"vocab"`
}

// UnmarshalJSON also accepts a plain path string, as a hand-written
// train.json may give it.
func (b *TrainBase) UnmarshalJSON(data []byte) error {
	var path string
	if json.Unmarshal(data, &path) == nil {
		*b = TrainBase{Path: path}
		return nil
	}
	type plain TrainBase // without this method
	return json.Unmarshal(data, (*plain)(b))
}

// TrainData is the dataset a run trained on.
type TrainData struct {
	ManifestSHA256 string          `json:"manifest_sha256"`
	Path           string          `json:"path"`
	Records        int             `json:"records"`
	Train          json.RawMessage `json:"train"`      // packing counts of the train split
	Validation     json.RawMessage `json:"validation"` // and of the validation split
}

// ReadTrain reads dir's train.json.
func ReadTrain(dir string) (*Train, error) {
	var t Train
	if err := readJSON(filepath.Join(dir, TrainFile), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// WriteTrain writes dir's train.json atomically.
func WriteTrain(dir string, t *Train) error {
	return atomicfile.WriteJSON(filepath.Join(dir, TrainFile), t)
}

// Raw encodes one of the records that Train keeps as written.
func Raw(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	return b, nil
}
