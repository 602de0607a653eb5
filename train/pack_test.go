package train

import (
	"slices"
	"testing"
)

func sample(n int, scoredFrom int) Sample {
	s := Sample{}
	for i := 0; i < n; i++ {
		s.Tokens = append(s.Tokens, int32(10+i))
		s.Scored = append(s.Scored, i >= scoredFrom)
	}
	return s
}

func TestPack(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		samples                     []Sample
		ctx                         int
		windows, truncated, dropped int
		scored                      int64
	}{
		{"two fit in one window", []Sample{sample(4, 1), sample(3, 1)}, 8, 1, 0, 0, 3 + 2},
		{"third starts a new window", []Sample{sample(4, 1), sample(3, 1), sample(3, 1)}, 8, 2, 0, 0, 3 + 2 + 2},
		{"long sample is cut", []Sample{sample(12, 1)}, 8, 1, 1, 0, 7},
		{"prompt-only sample is dropped", []Sample{sample(4, 4), sample(3, 1)}, 8, 1, 0, 1, 2},
		{"cut leaves nothing scored", []Sample{sample(12, 9)}, 8, 0, 1, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws, st := Pack(tc.samples, tc.ctx)
			if len(ws) != tc.windows || st.Windows != tc.windows || st.Truncated != tc.truncated ||
				st.Dropped != tc.dropped || st.Scored != tc.scored {
				t.Fatalf("got %d windows, stats %+v; want %d windows, %d truncated, %d dropped, %d scored",
					len(ws), st, tc.windows, tc.truncated, tc.dropped, tc.scored)
			}
			for _, w := range ws {
				if len(w.Tokens) > tc.ctx {
					t.Fatalf("window of %d tokens exceeds %d", len(w.Tokens), tc.ctx)
				}
			}
		})
	}
}

// Labels predict the next token of the same sample only: the boundary
// between two samples and the unscored prompt are not targets.
func TestPackLabels(t *testing.T) {
	a := Sample{Tokens: []int32{1, 5, 6}, Scored: []bool{false, true, true}}
	b := Sample{Tokens: []int32{1, 7, 8, 9}, Scored: []bool{false, false, true, true}}
	ws, _ := Pack([]Sample{a, b}, 16)
	if len(ws) != 1 {
		t.Fatalf("%d windows", len(ws))
	}
	want := []int32{5, 6, -1, -1, 8, 9, -1}
	if !slices.Equal(ws[0].Labels, want) {
		t.Fatalf("labels %v, want %v", ws[0].Labels, want)
	}
	if !slices.Equal(ws[0].Seg, []int32{0, 0, 0, 1, 1, 1, 1}) {
		t.Fatalf("segments %v", ws[0].Seg)
	}
}
