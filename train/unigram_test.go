package train

import (
	"math"
	"testing"

	"github.com/codeloom/codeloom/bindings"
)

func TestUnigramLoss(t *testing.T) {
	train := []bindings.Window{{Labels: []int32{0, 0, 1, -1}}}
	val := []bindings.Window{{Labels: []int32{0, 1, -1}}}
	// counts+1 over vocab 2: p(0) = 3/5, p(1) = 2/5
	want := -(math.Log(3.0/5) + math.Log(2.0/5)) / 2
	if got := UnigramLoss(train, val, 2); math.Abs(got-want) > 1e-12 {
		t.Fatalf("UnigramLoss = %v, want %v", got, want)
	}
	if got := UnigramLoss(train, nil, 2); got != 0 {
		t.Fatalf("no validation: %v", got)
	}
}
