package dataset

import (
	"encoding/binary"
	"hash/fnv"
)

// DefaultNearThreshold is the Jaccard similarity of token shingles above
// which two functions are near duplicates.
const DefaultNearThreshold = 0.85

// Duplicate says how Deduper.Add judged a function.
type Duplicate int

const (
	Unique Duplicate = iota
	ExactDuplicate
	NearDuplicate
)

// DedupOptions configure a Deduper.
type DedupOptions struct {
	// NearThreshold is the similarity for near duplicates; 0 means
	// DefaultNearThreshold.
	NearThreshold float64
	// ExactOnly turns near-duplicate detection off.
	ExactOnly bool
}

// Deduper finds duplicates in a stream of functions: exact ones by the hash
// of their normalized text, near ones by MinHash sketches of token shingles
// indexed with locality-sensitive hashing (LSH) bands. The first function of
// each group is kept; later ones are reported as duplicates. Memory grows
// by about 0.6 KB per kept function.
type Deduper struct {
	threshold   float64
	exactOnly   bool
	bands, rows int
	exact       map[[32]byte]struct{}
	buckets     []map[uint64][]int32 // per band: band hash -> kept functions
	sigs        []signature
}

// Threshold is the near-duplicate similarity these options ask for.
func (o DedupOptions) Threshold() float64 {
	if o.NearThreshold <= 0 {
		return DefaultNearThreshold
	}
	return o.NearThreshold
}

// NewDeduper makes an empty Deduper.
func NewDeduper(o DedupOptions) *Deduper {
	t := o.Threshold()
	d := &Deduper{threshold: t, exactOnly: o.ExactOnly, exact: map[[32]byte]struct{}{}}
	if !o.ExactOnly {
		d.bands, d.rows = lshParams(t)
		d.buckets = make([]map[uint64][]int32, d.bands)
		for i := range d.buckets {
			d.buckets[i] = map[uint64][]int32{}
		}
	}
	return d
}

// Add judges code against everything kept so far and keeps it when unique.
func (d *Deduper) Add(code string) Duplicate {
	f := NewFingerprint(code)
	return d.AddFingerprint(&f)
}

// AddFingerprint is Add for a function whose fingerprint was computed
// before, possibly on another goroutine.
func (d *Deduper) AddFingerprint(f *Fingerprint) Duplicate {
	if _, ok := d.exact[f.Exact]; ok {
		return ExactDuplicate
	}
	d.exact[f.Exact] = struct{}{}
	if d.exactOnly {
		return Unique
	}
	sig := f.sketch
	keys := make([]uint64, d.bands)
	for b := range keys {
		keys[b] = bandKey(sig[b*d.rows : (b+1)*d.rows])
		for _, c := range d.buckets[b][keys[b]] {
			if d.sigs[c].similarity(&sig) >= d.threshold {
				return NearDuplicate
			}
		}
	}
	id := int32(len(d.sigs))
	d.sigs = append(d.sigs, sig)
	for b, k := range keys {
		d.buckets[b][k] = append(d.buckets[b][k], id)
	}
	return Unique
}

func bandKey(rows []uint32) uint64 {
	h := fnv.New64a()
	var buf [4]byte
	for _, v := range rows {
		binary.LittleEndian.PutUint32(buf[:], v)
		h.Write(buf[:])
	}
	return h.Sum64()
}
