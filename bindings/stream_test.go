package bindings

import (
	"strings"
	"testing"
)

func TestTextStream(t *testing.T) {
	tests := []struct {
		name     string
		stops    []string
		pieces   []string
		want     []string // released after each push
		stopped  int      // index of the push that stops, -1 for none
		flushed  string
		wantText string
	}{
		{"plain", nil, []string{"ab", "c"}, []string{"ab", "c"}, -1, "", "abc"},
		{"stop inside a piece", []string{"END"}, []string{"xxENDyy"}, []string{"xx"}, 0, "", "xx"},
		{"stop across pieces", []string{"END"}, []string{"ab E", "N", "D more"}, []string{"ab ", "", ""}, 2, "", "ab "},
		{"false start released", []string{"END"}, []string{"E", "N", "x"}, []string{"", "", "ENx"}, -1, "", "ENx"},
		{"partial stop at end flushed", []string{"END"}, []string{"aE"}, []string{"a"}, -1, "E", "aE"},
		{"earliest of two stops", []string{"\n\n", "}"}, []string{"x}\n\ny"}, []string{"x"}, 0, "", "x"},
		// "é" is C3 A9; "€" is E2 82 AC.
		{"multi-byte split", nil, []string{"a\xc3", "\xa9b\xe2\x82", "\xac"}, []string{"a", "éb", "€"}, -1, "", "aéb€"},
		{"invalid byte released", nil, []string{"a\xff"}, []string{"a\xff"}, -1, "", "a\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := textStream{stops: tt.stops}
			var all strings.Builder
			stoppedAt := -1
			for i, p := range tt.pieces {
				out, stopped := s.push([]byte(p))
				if out != tt.want[i] {
					t.Errorf("push %d (%q) released %q, want %q", i, p, out, tt.want[i])
				}
				all.WriteString(out)
				if stopped {
					stoppedAt = i
					break
				}
			}
			if stoppedAt != tt.stopped {
				t.Errorf("stopped at push %d, want %d", stoppedAt, tt.stopped)
			}
			if f := s.flush(); f != tt.flushed {
				t.Errorf("flush = %q, want %q", f, tt.flushed)
			}
			all.WriteString(tt.flushed)
			if all.String() != tt.wantText {
				t.Errorf("text = %q, want %q", all.String(), tt.wantText)
			}
		})
	}
}
