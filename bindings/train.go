package bindings

/*
#cgo CPPFLAGS: -I${SRCDIR}/../native -I${SRCDIR}/../.engine/llama/llama.cpp/include
#cgo CPPFLAGS: -I${SRCDIR}/../.engine/ml/backend/ggml/ggml/include
#include <stdlib.h>
#include "train.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// Optimizer selects the update rule of a Trainer.
type Optimizer int

// Optimizers.
const (
	AdamW Optimizer = C.CL_OPT_ADAMW
	SGD   Optimizer = C.CL_OPT_SGD
)

// LoRATargets are the projections a LoRA adapter can train, in GGUF tensor
// names: attention query, key, value, output and the feed-forward gate, up
// and down projections.
var LoRATargets = []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}

// TrainerOptions configure a Trainer. The zero value trains a rank-8 LoRA
// adapter (alpha 16) on all seven projections with AdamW on the CPU.
type TrainerOptions struct {
	Full      bool      // train every tensor instead of a LoRA adapter
	Rank      int       // LoRA rank; 0 means 8
	Alpha     float32   // LoRA alpha (scale alpha/rank); 0 means 2×rank
	Targets   []string  // LoRA target projections; nil means LoRATargets
	Optimizer Optimizer // AdamW (default) or SGD
	Threads   int       // CPU threads; 0 means DefaultThreads()
	GPU       bool      // run on the first GPU device (needs a loaded GPU backend)
	Seed      uint64    // initialisation of LoRA A
	// SlowBackward keeps ggml's own OUT_PROD input gradients through frozen
	// projections instead of the transposed-weight MUL_MAT; for comparison
	// in tests and benchmarks (see check.go).
	SlowBackward bool
}

// TrainerInfo describes the model a Trainer trains.
type TrainerInfo struct {
	Architecture                        string
	Vocab, Embedding, Layers, Heads     int
	HeadsKV, FeedForward, ContextLength int
	Trainable                           int64  // trainable scalars
	Tensors                             int    // trainable tensors
	Backend                             string // device the graphs run on
	BaseType                            string // type of the frozen projections
}

// ParamPart selects a trainable tensor's value or one of its AdamW moments.
type ParamPart int

// Parts of a trainable tensor.
const (
	ParamValue ParamPart = C.CL_PARAM_VALUE
	ParamM     ParamPart = C.CL_PARAM_M
	ParamV     ParamPart = C.CL_PARAM_V
)

// Param names a trainable tensor and its shape in ggml order (ne0, ne1):
// LoRA tensors are "<base tensor>.lora_a" [in, r] and ".lora_b" [r, out], as
// llama.cpp's adapter files name them; with full training the base names.
type Param struct {
	Name  string
	Shape [2]int64
}

// NumElements is the tensor's element count.
func (p Param) NumElements() int64 { return p.Shape[0] * p.Shape[1] }

// Window is one training or evaluation window. Seg[i] is the sample token i
// belongs to (tokens attend only within their sample; positions restart at
// each sample); Labels[i] is the token position i must predict, or -1 when
// the position is not scored.
type Window struct {
	Tokens, Seg, Labels []int32
}

// NextTokenWindow is the window that scores every next token of one sample.
func NextTokenWindow(tokens []int32) Window {
	w := Window{Tokens: tokens, Seg: make([]int32, len(tokens)), Labels: make([]int32, len(tokens))}
	for i := range tokens {
		w.Labels[i] = -1
		if i+1 < len(tokens) {
			w.Labels[i] = tokens[i+1]
		}
	}
	return w
}

func (w Window) check() error {
	if len(w.Tokens) == 0 {
		return errors.New("empty window")
	}
	if len(w.Seg) != len(w.Tokens) || len(w.Labels) != len(w.Tokens) {
		return fmt.Errorf("window has %d tokens, %d segment ids and %d labels", len(w.Tokens), len(w.Seg), len(w.Labels))
	}
	return nil
}

// OptimizerStep holds the hyper-parameters of one update. Step is 1-based
// and drives AdamW's bias correction.
type OptimizerStep struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Step                               int64
}

// Trainer trains a LoRA adapter (or every tensor) of a llama, qwen2 or qwen3
// model with codeloom's own ggml training graph. Go drives it: Accumulate
// once per micro-batch, Update once per optimizer step. Not goroutine-safe.
type Trainer struct {
	c      *C.cl_trainer
	info   TrainerInfo
	params []Param
}

const errLen = 512

// NewTrainer loads the base model at path for training.
func NewTrainer(path string, o TrainerOptions) (*Trainer, error) {
	Init()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("load base model: %w", err)
	}
	if o.Rank == 0 {
		o.Rank = 8
	}
	if o.Alpha == 0 {
		o.Alpha = 2 * float32(o.Rank)
	}
	if o.Targets == nil {
		o.Targets = LoRATargets
	}
	if o.Threads == 0 {
		o.Threads = DefaultThreads()
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	ctargets := C.CString(strings.Join(o.Targets, ","))
	defer C.free(unsafe.Pointer(ctargets))
	p := C.cl_train_params{
		model_path:    cpath,
		full:          C.bool(o.Full),
		lora_rank:     C.int32_t(o.Rank),
		lora_alpha:    C.float(o.Alpha),
		targets:       ctargets,
		optimizer:     C.int32_t(o.Optimizer),
		threads:       C.int32_t(o.Threads),
		gpu:           C.bool(o.GPU),
		seed:          C.uint64_t(o.Seed),
		fast_backward: C.bool(!o.SlowBackward),
	}
	var cerr [errLen]C.char
	c := C.cl_train_new(&p, &cerr[0], errLen)
	if c == nil {
		return nil, fmt.Errorf("load %s for training: %s", path, C.GoString(&cerr[0]))
	}
	t := &Trainer{c: c}
	var ci C.cl_train_info
	C.cl_train_get_info(c, &ci)
	t.info = TrainerInfo{
		Architecture: C.GoString(&ci.arch[0]), Vocab: int(ci.n_vocab), Embedding: int(ci.n_embd),
		Layers: int(ci.n_layer), Heads: int(ci.n_head), HeadsKV: int(ci.n_head_kv), FeedForward: int(ci.n_ff),
		ContextLength: int(ci.n_ctx_train), Trainable: int64(ci.n_trainable), Tensors: int(ci.n_params),
		Backend: C.GoString(&ci.backend[0]), BaseType: C.GoString(&ci.base_type[0]),
	}
	for i := 0; i < t.info.Tensors; i++ {
		var ne0, ne1 C.int64_t
		C.cl_train_param_shape(c, C.int32_t(i), &ne0, &ne1)
		t.params = append(t.params, Param{
			Name:  C.GoString(C.cl_train_param_name(c, C.int32_t(i))),
			Shape: [2]int64{int64(ne0), int64(ne1)},
		})
	}
	return t, nil
}

// Close frees the trainer's memory.
func (t *Trainer) Close() {
	if t.c != nil {
		C.cl_train_free(t.c)
		t.c = nil
	}
}

// Info describes the model being trained.
func (t *Trainer) Info() TrainerInfo { return t.info }

// MemoryBytes is the memory the trainer holds in the engine: weights (with
// the transposed copies of the fast backward), trainable tensors with their
// gradients and moments, and the compute graphs allocated so far.
func (t *Trainer) MemoryBytes() int64 { return int64(C.cl_train_memory(t.c)) }

// TrainerCounters is what a trainer did so far, for benchmarks and checks.
type TrainerCounters struct {
	UploadedBytes int64 // window inputs set on the backend, all steps together
	Uploads       int64 // host-to-device transfers that set them: one a step
	GraphBuilds   int   // step graphs built and allocated (once per window shape)
}

// Counters reports the trainer's counters.
func (t *Trainer) Counters() TrainerCounters {
	var up, n C.int64_t
	var builds C.int32_t
	C.cl_train_counters(t.c, &up, &n, &builds)
	return TrainerCounters{UploadedBytes: int64(up), Uploads: int64(n), GraphBuilds: int(builds)}
}

// Placement is where the nodes of a step graph run (see Trainer.Placement).
type Placement struct {
	Nodes     int // nodes in the step graph
	Splits    int // graph splits the scheduler made: 1 when the whole step runs on one backend
	OffDevice int // nodes the scheduler placed on another backend than the trainer's
	// CUDARefused has one line per op and reason for the nodes this engine
	// copy's CUDA backend would refuse, whatever backend the trainer runs
	// on: on a GPU each would run on the CPU inside every step.
	CUDARefused []string
}

// Placement reports where the nodes of the last training (or, with eval,
// evaluation) step graph run. It needs one step of that kind first.
func (t *Trainer) Placement(eval bool) (Placement, error) {
	var info C.cl_train_placement_info
	var buf [8192]C.char
	ev := C.int32_t(0)
	if eval {
		ev = 1
	}
	if C.cl_train_placement(t.c, ev, &info, &buf[0], C.size_t(len(buf))) != 0 {
		return Placement{}, fmt.Errorf("placement: %s", C.GoString(&buf[0]))
	}
	p := Placement{Nodes: int(info.n_nodes), Splits: int(info.n_splits), OffDevice: int(info.n_off_device)}
	for _, line := range strings.Split(C.GoString(&buf[0]), "\n") {
		if line != "" {
			p.CUDARefused = append(p.CUDARefused, line)
		}
	}
	return p, nil
}

// Params lists the trainable tensors in a fixed order.
func (t *Trainer) Params() []Param { return t.params }

func cInts(s []int32) *C.int32_t { return (*C.int32_t)(unsafe.Pointer(&s[0])) }

// Accumulate runs forward and backward over w and adds scale times the
// gradient of its mean loss to the accumulated gradients. It returns the
// mean cross-entropy over the scored positions.
func (t *Trainer) Accumulate(w Window, scale float32) (float32, error) {
	return t.AccumulateBatch([]Window{w}, scale)
}

// AccumulateBatch is Accumulate over windows of one length at once: one
// graph holds them side by side in a batch dimension (one upload, one
// computation), which keeps a GPU busy where one short window would not.
// The gradient added is the same as one Accumulate per window with the same
// scale; it returns the mean of the windows' mean losses.
func (t *Trainer) AccumulateBatch(ws []Window, scale float32) (float32, error) {
	if len(ws) == 0 {
		return 0, errors.New("training step: no windows")
	}
	n := len(ws[0].Tokens)
	tokens := make([]int32, 0, n*len(ws))
	seg := make([]int32, 0, n*len(ws))
	labels := make([]int32, 0, n*len(ws))
	for i, w := range ws {
		if err := w.check(); err != nil {
			return 0, err
		}
		if len(w.Tokens) != n {
			return 0, fmt.Errorf("training step: window %d has %d tokens, window 0 has %d; a batch needs one length", i, len(w.Tokens), n)
		}
		tokens = append(tokens, w.Tokens...)
		seg = append(seg, w.Seg...)
		labels = append(labels, w.Labels...)
	}
	var loss C.float
	var cerr [errLen]C.char
	if C.cl_train_accumulate(t.c, cInts(tokens), cInts(seg), cInts(labels), C.int32_t(n), C.int32_t(len(ws)),
		C.float(scale), &loss, &cerr[0], errLen) != 0 {
		return 0, fmt.Errorf("training step: %s", C.GoString(&cerr[0]))
	}
	return float32(loss) / float32(len(ws)), nil
}

// Eval runs the forward over w and returns the summed negative
// log-likelihood of the scored positions and their count.
func (t *Trainer) Eval(w Window) (nll float64, n int, err error) {
	if err := w.check(); err != nil {
		return 0, 0, err
	}
	var sum C.double
	var cnt C.int32_t
	var cerr [errLen]C.char
	if C.cl_train_eval(t.c, cInts(w.Tokens), cInts(w.Seg), cInts(w.Labels), C.int32_t(len(w.Tokens)),
		&sum, &cnt, &cerr[0], errLen) != 0 {
		return 0, 0, fmt.Errorf("evaluation: %s", C.GoString(&cerr[0]))
	}
	return float64(sum), int(cnt), nil
}

// Update applies one optimizer step with the accumulated gradients and
// clears them.
func (t *Trainer) Update(s OptimizerStep) error {
	var cerr [errLen]C.char
	if C.cl_train_update(t.c, C.float(s.LR), C.float(s.Beta1), C.float(s.Beta2), C.float(s.Eps),
		C.float(s.WeightDecay), C.int64_t(s.Step), &cerr[0], errLen) != 0 {
		return fmt.Errorf("optimizer step %d: %s", s.Step, C.GoString(&cerr[0]))
	}
	return nil
}

// Get copies part of trainable tensor i.
func (t *Trainer) Get(i int, part ParamPart) ([]float32, error) {
	if i < 0 || i >= len(t.params) {
		return nil, fmt.Errorf("no trainable tensor %d", i)
	}
	out := make([]float32, t.params[i].NumElements())
	if C.cl_train_param_get(t.c, C.int32_t(i), C.int32_t(part), (*C.float)(unsafe.Pointer(&out[0])), C.int64_t(len(out))) != 0 {
		return nil, fmt.Errorf("read %s (part %d): not available with this optimizer", t.params[i].Name, part)
	}
	return out, nil
}

// Set overwrites part of trainable tensor i.
func (t *Trainer) Set(i int, part ParamPart, v []float32) error {
	if i < 0 || i >= len(t.params) {
		return fmt.Errorf("no trainable tensor %d", i)
	}
	if int64(len(v)) != t.params[i].NumElements() {
		return fmt.Errorf("set %s: %d values for %d elements", t.params[i].Name, len(v), t.params[i].NumElements())
	}
	if C.cl_train_param_set(t.c, C.int32_t(i), C.int32_t(part), (*C.float)(unsafe.Pointer(&v[0])), C.int64_t(len(v))) != 0 {
		return fmt.Errorf("set %s (part %d): not available with this optimizer", t.params[i].Name, part)
	}
	return nil
}
