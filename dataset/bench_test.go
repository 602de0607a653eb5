package dataset

import (
	"encoding/json"
	"fmt"
	"testing"
)

// The benchmarks run extract's per-function work over the Go standard
// library cut into 60-line chunks; one op is one chunk (see goCorpus).
//
//	go test ./dataset -run '^$' -bench . -benchmem

const benchRecords = 20000

func BenchmarkNewFingerprint(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		NewFingerprint(recs[i%len(recs)].Code)
	}
}

func BenchmarkFiltersReason(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	f := DefaultFilters()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.Reason(&recs[i%len(recs)], Facts{})
	}
}

// BenchmarkRedact redacts what extract redacts: code, docstring, signature.
func BenchmarkRedact(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	counts := map[string]int{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := &recs[i%len(recs)]
		Redact(r.Code, counts)
		Redact(r.Docstring, counts)
		Redact(r.Signature, counts)
	}
}

// BenchmarkWriteRecord is the JSONL encoding of one record by a Writer.
func BenchmarkWriteRecord(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	var line []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		line = recs[i%len(recs)].appendJSON(line[:0])
	}
}

// BenchmarkReadRecord is the decoding of one JSONL line, as a Writer
// writes it, by Read, and by encoding/json before it.
func BenchmarkReadRecord(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	lines := make([][]byte, len(recs))
	for i := range recs {
		lines[i] = recs[i].appendJSON(nil)
	}
	var rec Record
	b.Run("decoder", func(b *testing.B) {
		var d recordDecoder
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := d.decode(lines[i%len(lines)], &rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec = Record{}
			if err := json.Unmarshal(lines[i%len(lines)], &rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDedup is extract's dedup phase: one op judges every chunk's
// fingerprint, computed beforehand as the parsing workers do, in a new
// Deduper, told how many to expect or not.
func BenchmarkDedup(b *testing.B) {
	recs := goCorpus(b, benchRecords)
	fps := make([]Fingerprint, len(recs))
	for i := range recs {
		fps[i] = NewFingerprint(recs[i].Code)
	}
	for _, expected := range []int{0, len(fps)} {
		b.Run(fmt.Sprint("expected=", expected), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := NewDeduper(DedupOptions{Expected: expected})
				for i := range fps {
					d.AddFingerprint(&fps[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(fps)), "ns/record")
		})
	}
}
