package bindings

/*
#include <stdlib.h>
#include "llama.h"
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unsafe"
)

// quantTypes maps the names accepted by Quantize to llama_ftype values.
var quantTypes = map[string]C.enum_llama_ftype{
	"f32":    C.LLAMA_FTYPE_ALL_F32,
	"f16":    C.LLAMA_FTYPE_MOSTLY_F16,
	"bf16":   C.LLAMA_FTYPE_MOSTLY_BF16,
	"q8_0":   C.LLAMA_FTYPE_MOSTLY_Q8_0,
	"q4_0":   C.LLAMA_FTYPE_MOSTLY_Q4_0,
	"q4_1":   C.LLAMA_FTYPE_MOSTLY_Q4_1,
	"q5_0":   C.LLAMA_FTYPE_MOSTLY_Q5_0,
	"q5_1":   C.LLAMA_FTYPE_MOSTLY_Q5_1,
	"q4_k_s": C.LLAMA_FTYPE_MOSTLY_Q4_K_S,
	"q4_k_m": C.LLAMA_FTYPE_MOSTLY_Q4_K_M,
	"q5_k_m": C.LLAMA_FTYPE_MOSTLY_Q5_K_M,
	"q6_k":   C.LLAMA_FTYPE_MOSTLY_Q6_K,
}

// QuantTypes lists the type names Quantize accepts.
func QuantTypes() []string {
	out := make([]string, 0, len(quantTypes))
	for k := range quantTypes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Quantize writes in's weights as typ (see QuantTypes) to out, atomically.
// threads 0 uses DefaultThreads.
func Quantize(in, out, typ string, threads int) error {
	ft, ok := quantTypes[strings.ToLower(typ)]
	if !ok {
		return fmt.Errorf("quantize: unknown type %q (want one of %s)", typ, strings.Join(QuantTypes(), ", "))
	}
	if err := checkGGUF("model", in); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	Init()
	if threads <= 0 {
		threads = DefaultThreads()
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".quantize-*.gguf")
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	p := C.llama_model_quantize_default_params()
	p.nthread = C.int32_t(threads)
	p.ftype = ft
	p.allow_requantize = true
	cin, cout := C.CString(in), C.CString(tmp.Name())
	defer C.free(unsafe.Pointer(cin))
	defer C.free(unsafe.Pointer(cout))
	if rc := C.llama_model_quantize(cin, cout, &p); rc != 0 {
		return engineFailure("quantize %s to %s", in, typ)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	return nil
}
