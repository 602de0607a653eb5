package dataset

import "math/bits"

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
	// Expected is how many functions are likely to be added, if known: the
	// indexes are sized for them up front instead of growing. It changes no
	// result.
	Expected int
}

// Deduper finds duplicates in a stream of functions: exact ones by the hash
// of their normalized text, near ones by MinHash sketches of token shingles
// indexed with locality-sensitive hashing (LSH) bands. The first function of
// each group is kept; later ones are reported as duplicates. Memory grows
// by about 0.8 KB per kept function.
//
// The kept functions are numbered in order. Their sketches lie in blocks
// that never move, and each band's index maps a band key to the latest
// kept function with it, the earlier ones being chained through next:
// neither costs an allocation per function, nor copies as it grows.
type Deduper struct {
	threshold   float64
	exactOnly   bool
	bands, rows int
	exact       map[[32]byte]struct{}
	sketches    sketchArena
	index       []bandIndex // per band
	// next[id*bands+b] is the kept function before id with the same key in
	// band b, -1 at the end of the chain.
	next []int32
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
	n := max(o.Expected, 0)
	d := &Deduper{threshold: t, exactOnly: o.ExactOnly, exact: make(map[[32]byte]struct{}, n)}
	if !o.ExactOnly {
		d.bands, d.rows = lshParamsFor(t)
		d.index = make([]bandIndex, d.bands)
		for i := range d.index {
			d.index[i] = newBandIndex(n)
		}
		d.next = make([]int32, 0, n*d.bands)
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
	sig := &f.sketch
	// The slots found for the lookups are the ones filled when the function
	// is kept: no index may grow in between.
	var keys [numPerm]uint64 // bands <= numPerm
	var slots [numPerm]*bandSlot
	for b := range d.bands {
		x := &d.index[b]
		x.reserve()
		keys[b] = bandKey(sig[b*d.rows : (b+1)*d.rows])
		slots[b] = x.slot(keys[b])
		for c := slots[b].head - 1; c >= 0; c = d.next[int(c)*d.bands+b] {
			if d.sketches.at(c).similarity(sig) >= d.threshold {
				return NearDuplicate
			}
		}
	}
	id := d.sketches.add(sig)
	for b := range d.bands {
		d.next = append(d.next, d.index[b].push(slots[b], keys[b], id))
	}
	return Unique
}

// bandKey hashes one band of a sketch, two rows at a time, each step
// folding a 128-bit product as wyhash does: about a tenth of the time of
// FNV over its bytes. Only equal keys matter, and distinct bands collide
// about as rarely as 64-bit hashes do.
func bandKey(rows []uint32) uint64 {
	const k0, k1 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	h := uint64(len(rows)) ^ k0
	i := 0
	for ; i+1 < len(rows); i += 2 {
		hi, lo := bits.Mul64(h^(uint64(rows[i])|uint64(rows[i+1])<<32), k1)
		h = hi ^ lo
	}
	if i < len(rows) {
		hi, lo := bits.Mul64(h^uint64(rows[i]), k1)
		h = hi ^ lo
	}
	return mix64(h)
}

// sketchBlock is how many sketches one block of a sketchArena holds (512 KB).
const sketchBlock = 1024

// sketchArena stores sketches by number in fixed blocks, so that growing
// neither copies nor leaves the old array to the garbage collector.
type sketchArena struct{ blocks [][]signature }

// add stores a copy of sig and returns its number.
func (a *sketchArena) add(sig *signature) int32 {
	n := len(a.blocks)
	if n == 0 || len(a.blocks[n-1]) == sketchBlock {
		a.blocks = append(a.blocks, make([]signature, 0, sketchBlock))
		n++
	}
	id := (n-1)*sketchBlock + len(a.blocks[n-1])
	a.blocks[n-1] = append(a.blocks[n-1], *sig)
	return int32(id)
}

func (a *sketchArena) at(id int32) *signature {
	return &a.blocks[id/sketchBlock][id%sketchBlock]
}

// bandIndex maps one band's keys to the latest kept function with each,
// by open addressing with linear probing: a slot costs 16 bytes, where a
// Go map of slices cost a map entry and a slice per key.
type bandIndex struct {
	slots []bandSlot // a power of two of them
	used  int
}

type bandSlot struct {
	key  uint64
	head int32 // kept function + 1; 0 marks a free slot
}

func newBandIndex(expected int) bandIndex {
	n := 16
	for n*3 < expected*4 { // at most 3/4 full
		n *= 2
	}
	return bandIndex{slots: make([]bandSlot, n)}
}

// slot returns where key is, or the free slot where it belongs.
func (x *bandIndex) slot(key uint64) *bandSlot {
	mask := uint64(len(x.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		if s := &x.slots[i]; s.head == 0 || s.key == key {
			return s
		}
	}
}

// push makes id the latest kept function in slot s, the one of key, and
// returns the one before it, -1 if none.
func (x *bandIndex) push(s *bandSlot, key uint64, id int32) int32 {
	prev := s.head - 1
	if s.head == 0 {
		s.key = key
		x.used++
	}
	s.head = id + 1
	return prev
}

// reserve makes room for one more key, keeping the index at most 3/4 full.
func (x *bandIndex) reserve() {
	if (x.used+1)*4 <= len(x.slots)*3 {
		return
	}
	old := x.slots
	x.slots = make([]bandSlot, 2*len(old))
	for _, s := range old {
		if s.head != 0 {
			*x.slot(s.key) = s
		}
	}
}
