package bindings

/*
#include "infer.h"
*/
import "C"

import (
	"errors"
	"time"
	"unsafe"
)

// BareLoop runs the engine's barest decode loop, entirely in C: prompt as
// one batch, then greedy sampling one token at a time, with a fresh context.
// It is the reference that benchmarks hold Generate against.
func (m *Model) BareLoop(prompt []int32, nGen, nCtx, threads int) (generated int, promptTime, genTime time.Duration, err error) {
	if len(prompt) == 0 || nGen <= 0 {
		return 0, 0, 0, errors.New("bare loop: empty prompt or nothing to generate")
	}
	if threads <= 0 {
		threads = DefaultThreads()
	}
	var tp, tg C.double
	n := C.cl_bare_loop(m.c, C.int32_t(nCtx), C.int32_t(threads), (*C.llama_token)(unsafe.Pointer(&prompt[0])),
		C.int32_t(len(prompt)), C.int32_t(nGen), &tp, &tg)
	if n < 0 {
		return 0, 0, 0, errors.New("bare loop: the engine could not make a context")
	}
	return int(n), time.Duration(float64(tp) * float64(time.Second)), time.Duration(float64(tg) * float64(time.Second)), nil
}
