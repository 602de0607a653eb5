package editdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"temp", "tempp", 1}, {"flaw", "lawn", 2}, {"same", "same", 0},
	} {
		if got := Distance([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("%q→%q: %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("runes %q→%q: %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if got := Distance([]rune("héllo"), []rune("hello")); got != 1 {
		t.Errorf("runes: %d, want 1", got)
	}
}
