package dataset

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// parquetRowGroup bounds the rows a Parquet writer buffers before it
// writes them out as one row group.
const parquetRowGroup = 10_000

// parquetShard writes one shard's records as a Parquet file (zstd
// compressed, one column per Record field), readable by pyarrow and so by
// Hugging Face datasets: load_dataset("parquet", data_files="NAME/*.parquet").
type parquetShard struct {
	f    *os.File
	w    *parquet.GenericWriter[Record]
	name string
}

func createParquetShard(dir string, index int) (*parquetShard, error) {
	name := fmt.Sprintf("data-%05d.parquet", index)
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	w := parquet.NewGenericWriter[Record](f, parquet.Compression(&zstd.Codec{}), parquet.MaxRowsPerRowGroup(parquetRowGroup))
	return &parquetShard{f: f, w: w, name: name}, nil
}

func (p *parquetShard) write(r *Record) error {
	_, err := p.w.Write([]Record{*r})
	return err
}

// close writes the footer and syncs the file.
func (p *parquetShard) close() error {
	err := p.w.Close()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}
