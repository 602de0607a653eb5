package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fn is a distinct realistic function for index i.
func fn(i int) string {
	return fmt.Sprintf("func handler%d(w http.ResponseWriter, r *http.Request) {\n\tid := r.URL.Query().Get(%q)\n\tif id == \"\" {\n\t\thttp.Error(w, %q, %d)\n\t\treturn\n\t}\n\titem, err := store%d.Load(r.Context(), id, %d)\n\tif err != nil {\n\t\tlog.Printf(%q, err)\n\t}\n\tjson.NewEncoder(w).Encode(item)\n}",
		i, fmt.Sprint("key", i), fmt.Sprint("missing ", i), 400+i, i, i*7, "load failed %v "+fmt.Sprint(i))
}

func TestDeduper(t *testing.T) {
	base := fn(1)
	reindented := strings.ReplaceAll(base, "\t", "    ")
	// A near copy: one identifier renamed in one place.
	near := strings.Replace(base, "log.Printf", "logger.Printf", 1)
	cases := []struct {
		name string
		code string
		want Duplicate
	}{
		{"first", base, Unique},
		{"same again", base, ExactDuplicate},
		{"reindented", reindented, ExactDuplicate},
		{"near copy", near, NearDuplicate},
		{"different", fn(2), Unique},
		{"third", fn(3), Unique},
	}
	d := NewDeduper(DedupOptions{})
	for _, tc := range cases {
		if got := d.Add(tc.code); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	exact := NewDeduper(DedupOptions{ExactOnly: true})
	exact.Add(base)
	if got := exact.Add(near); got != Unique {
		t.Errorf("exact only: near copy judged %v", got)
	}
	if j := sim(base, near); j < 0.85 || j == 1 {
		t.Errorf("estimated similarity of the near copy %.2f, want in [0.85, 1)", j)
	}
	if j := sim(fn(1), fn(2)); j > 0.7 {
		t.Errorf("estimated similarity of different functions %.2f, want low", j)
	}
}

func sim(a, b string) float64 {
	sa, _ := minhash(a)
	sb, _ := minhash(b)
	return sa.similarity(&sb)
}

// TestDeduperManyUnique checks that LSH does not merge distinct functions
// at scale.
func TestDeduperManyUnique(t *testing.T) {
	d := NewDeduper(DedupOptions{})
	for i := range 2000 {
		if got := d.Add(fn(i)); got != Unique {
			t.Fatalf("function %d judged %v", i, got)
		}
	}
}

func TestLSHParams(t *testing.T) {
	b, r := lshParams(0.85)
	if [2]int{b, r} != defaultLSH {
		t.Fatalf("lshParams(0.85) = %d, %d; defaultLSH says %v", b, r, defaultLSH)
	}
	if b*r > numPerm || b < 2 || r < 2 {
		t.Fatalf("bands %d rows %d", b, r)
	}
	// The S-curve must be near 0 well below the threshold and near 1 above.
	p := func(s float64) float64 {
		q := 1.0
		for range b {
			x := 1.0
			for range r {
				x *= s
			}
			q *= 1 - x
		}
		return 1 - q
	}
	if p(0.5) > 0.05 || p(0.95) < 0.95 {
		t.Errorf("bands %d rows %d: P(candidate) %.3f at 0.5, %.3f at 0.95", b, r, p(0.5), p(0.95))
	}
}

func BenchmarkDeduperAdd(b *testing.B) {
	codes := make([]string, 1000)
	for i := range codes {
		codes[i] = fn(i)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer() // choosing the LSH bands is a one-off of each run
		d := NewDeduper(DedupOptions{})
		b.StartTimer()
		for _, c := range codes {
			d.Add(c)
		}
	}
	b.ReportMetric(float64(len(codes)*b.N)/b.Elapsed().Seconds(), "records/s")
}

func TestFingerprintRoundTrip(t *testing.T) {
	f := NewFingerprint(fn(7))
	if f.ID() != ID(fn(7)) {
		t.Errorf("fingerprint ID %s, want %s", f.ID(), ID(fn(7)))
	}
	b := f.AppendBinary(nil)
	var g Fingerprint
	if err := g.UnmarshalBinary(b); err != nil || g.Exact != f.Exact || g.sketch != f.sketch || len(b) != FingerprintSize {
		t.Fatalf("round trip: %v, %d bytes", err, len(b))
	}
	if err := g.UnmarshalBinary(b[1:]); err == nil {
		t.Error("short fingerprint accepted")
	}
	d := NewDeduper(DedupOptions{})
	if d.AddFingerprint(&f) != Unique || d.Add(fn(7)) != ExactDuplicate {
		t.Error("a fingerprint and its code are not judged alike")
	}
}

// nearDuplicateSet is n functions drawn from a few families: each is a
// family's base with some lines dropped, repeated or edited, so that their
// similarities spread around every threshold; some are re-indented exact
// copies of an earlier one.
func nearDuplicateSet(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 9))
	var out []string
	for len(out) < n {
		if len(out) > 0 && rng.IntN(10) == 0 {
			out = append(out, strings.ReplaceAll(out[rng.IntN(len(out))], "\t", "  "))
			continue
		}
		lines := strings.Split(fn(rng.IntN(n/20+1)), "\n")
		for range rng.IntN(4) {
			i := rng.IntN(len(lines))
			switch rng.IntN(3) {
			case 0:
				lines = append(lines[:i], lines[i+1:]...)
			case 1:
				lines = slices.Insert(lines, i, lines[i])
			default:
				lines[i] = strings.Replace(lines[i], "id", fmt.Sprint("v", rng.IntN(5)), 1)
			}
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return out
}

// TestDeduperMatchesReference judges the Go corpus chunks and near-duplicate
// sets with the Deduper and the one before its index was made compact:
// every verdict must be the same, at several thresholds and size hints.
func TestDeduperMatchesReference(t *testing.T) {
	sets := map[string][]string{"synthetic": nearDuplicateSet(20000, 1), "small": nearDuplicateSet(300, 2)}
	for _, r := range goCorpus(t, 20000) {
		sets["corpus"] = append(sets["corpus"], r.Code)
	}
	for name, codes := range sets {
		fps := make([]Fingerprint, len(codes))
		for i, c := range codes {
			fps[i] = NewFingerprint(c)
		}
		for _, o := range []DedupOptions{{}, {Expected: len(codes)}, {Expected: 10}, {NearThreshold: 0.5},
			{NearThreshold: 0.7, Expected: len(codes)}, {NearThreshold: 0.95}, {ExactOnly: true}} {
			got, want := NewDeduper(o), newRefDeduper(o)
			var counts [3]int
			for i := range fps {
				g, w := got.AddFingerprint(&fps[i]), want.AddFingerprint(&fps[i])
				if g != w {
					t.Fatalf("%s %+v: function %d judged %v, want %v", name, o, i, g, w)
				}
				counts[g]++
			}
			t.Logf("%s %+v: unique, exact, near: %v", name, o, counts)
			if name == "synthetic" && !o.ExactOnly && (counts[ExactDuplicate] < 100 || counts[NearDuplicate] < 100) {
				t.Fatalf("%s %+v: unique, exact, near: %v: the set tests too little", name, o, counts)
			}
		}
	}
}
