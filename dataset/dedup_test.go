package dataset

import (
	"fmt"
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
	sa, sb := minhash(a), minhash(b)
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
	if err := g.UnmarshalBinary(b); err != nil || g != f || len(b) != FingerprintSize {
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
