// Package bindings is codeloom's Go API over the llama.cpp/ggml engine and
// the only Go package that uses cgo. Each type holds one C object and owns
// its release: Model (weights and vocabulary), Context (a decoding state),
// Adapter (a LoRA adapter), plus the training types in train*.go.
//
//	bindings.Init()
//	m, err := bindings.LoadModel("model.gguf", bindings.ModelParams{})
//	defer m.Close()
//	c, err := m.NewContext(bindings.ContextParams{})
//	defer c.Close()
//	g, err := c.Generate(ctx, "func main() {", llm.GenerateOptions{MaxTokens: 64})
//
// The options and results are the llm package's types, used as they are:
// consumers (server, eval) declare small interfaces over them that *Model
// and *Context satisfy. A Model may be shared between goroutines; a Context
// serves one request at a time.
package bindings

/*
#cgo CPPFLAGS: -I${SRCDIR}/../native -I${SRCDIR}/../.engine/llama/llama.cpp/include
#cgo CPPFLAGS: -I${SRCDIR}/../.engine/ml/backend/ggml/ggml/include
#include <stdlib.h>
#include "infer.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"

static const char * cl_feature_name(struct ggml_backend_feature * f, int i) { return f[i].name; }
static const char * cl_feature_value(struct ggml_backend_feature * f, int i) { return f[i].value; }
static struct ggml_backend_feature * cl_features(ggml_backend_reg_t reg) {
	ggml_backend_get_features_t fn = (ggml_backend_get_features_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features");
	return fn ? fn(reg) : NULL;
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unsafe"

	_ "github.com/codeloom/codeloom/native" // links the engine and codeloom's C++
)

// EngineCommit is the llama.cpp commit the engine is built from (the copy in
// the pinned github.com/ollama/ollama module).
const EngineCommit = "ec98e2002"

// LibPathEnv names the folder (or folders, separated by ':') scanned for GPU
// backend libraries (libggml-cuda.so, ...). By default the lib folder beside
// the executable is scanned.
const LibPathEnv = "CODELOOM_LIB_PATH"

var initOnce sync.Once

// Init sets up the engine once per process: log filtering (CODELOOM_DEBUG=1
// shows the engine's own logs) and loading of GPU backends. It is safe to
// call often; every loading function calls it.
func Init() {
	initOnce.Do(func() {
		// The engine's own messages stay quiet by default: failures reach
		// the caller as Go errors, and cancelled decodes would otherwise
		// print errors that are not.
		level := C.GGML_LOG_LEVEL_ERROR + 1
		if os.Getenv("CODELOOM_DEBUG") != "" {
			level = C.GGML_LOG_LEVEL_DEBUG
		}
		C.cl_log_level(C.int32_t(level))
		C.llama_backend_init()
		for _, dir := range backendDirs() {
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				cdir := C.CString(dir)
				C.ggml_backend_load_all_from_path(cdir)
				C.free(unsafe.Pointer(cdir))
			}
		}
	})
}

func backendDirs() []string {
	if v := os.Getenv(LibPathEnv); v != "" {
		return filepath.SplitList(v)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{filepath.Join(filepath.Dir(exe), "lib")}
}

// Backend is one registered compute backend and its devices.
type Backend struct {
	Name     string
	Devices  []string          // "NAME: description"
	Features map[string]string // compiled features (CPU: AVX2, FMA, ...)
}

// Backends lists the registered backends (CPU always; GPU ones when loaded).
func Backends() []Backend {
	Init()
	var out []Backend
	for i := C.size_t(0); i < C.ggml_backend_reg_count(); i++ {
		reg := C.ggml_backend_reg_get(i)
		b := Backend{Name: C.GoString(C.ggml_backend_reg_name(reg)), Features: map[string]string{}}
		for d := C.size_t(0); d < C.ggml_backend_reg_dev_count(reg); d++ {
			dev := C.ggml_backend_reg_dev_get(reg, d)
			b.Devices = append(b.Devices, C.GoString(C.ggml_backend_dev_name(dev))+": "+C.GoString(C.ggml_backend_dev_description(dev)))
		}
		if f := C.cl_features(reg); f != nil {
			for k := C.int(0); C.cl_feature_name(f, k) != nil; k++ {
				b.Features[C.GoString(C.cl_feature_name(f, k))] = C.GoString(C.cl_feature_value(f, k))
			}
		}
		out = append(out, b)
	}
	return out
}

// CPUFeatures reports which SIMD sets the engine's CPU backend was compiled
// with, and which ones this CPU offers that the build lacks.
type CPUFeatures struct {
	Compiled []string
	Missing  []string // present on this CPU but not compiled in: the build is slower than it could be
}

// CPU compares the CPU backend's compiled SIMD sets (ggml_cpu_has_* answer
// for the build, not the host) with the host's /proc/cpuinfo flags.
func CPU() CPUFeatures {
	Init()
	compiled := map[string]bool{
		"AVX":      C.ggml_cpu_has_avx() != 0,
		"AVX2":     C.ggml_cpu_has_avx2() != 0,
		"FMA":      C.ggml_cpu_has_fma() != 0,
		"F16C":     C.ggml_cpu_has_f16c() != 0,
		"BMI2":     C.ggml_cpu_has_bmi2() != 0,
		"AVX512":   C.ggml_cpu_has_avx512() != 0,
		"AVX_VNNI": C.ggml_cpu_has_avx_vnni() != 0,
	}
	return compareCPU(compiled, hostCPUFlags())
}

// compareCPU sorts the SIMD sets into compiled ones and ones the host has
// (by its lower-case cpuinfo flag) that the build lacks.
func compareCPU(compiled, host map[string]bool) CPUFeatures {
	var f CPUFeatures
	for name, on := range compiled {
		switch {
		case on:
			f.Compiled = append(f.Compiled, name)
		case host[strings.ToLower(name)]:
			f.Missing = append(f.Missing, name)
		}
	}
	sort.Strings(f.Compiled)
	sort.Strings(f.Missing)
	return f
}

func hostCPUFlags() map[string]bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "flags") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				for _, f := range strings.Fields(v) {
					out[f] = true
				}
			}
			break
		}
	}
	// /proc/cpuinfo spells AVX-512 foundation and VNNI differently.
	out["avx512"] = out["avx512f"]
	out["avx_vnni"] = out["avx_vnni"] || out["avxvnni"]
	return out
}

// SystemInfo is the engine's one-line summary of compiled CPU features.
func SystemInfo() string {
	Init()
	return strings.TrimSpace(C.GoString(C.llama_print_system_info()))
}

func cError(what string, rc C.int32_t) error {
	if msg := lastEngineError(); msg != "" {
		return fmt.Errorf("%s: %s", what, msg)
	}
	return fmt.Errorf("%s: engine returned %d", what, int(rc))
}

// lastEngineError is the engine's last logged error, tidied to one line;
// "" when none.
func lastEngineError() string {
	buf := make([]byte, 1024)
	n := C.cl_last_error((*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)))
	msg := strings.Join(strings.Fields(string(buf[:n])), " ")
	return msg
}

// engineFailure words a failed engine call for the user: the engine's own
// error when it logged one, else a pointer to the debug log.
func engineFailure(format string, a ...any) error {
	if msg := lastEngineError(); msg != "" {
		return fmt.Errorf(format+": %s", append(a, msg)...)
	}
	return fmt.Errorf(format+" (CODELOOM_DEBUG=1 shows the engine's log)", a...)
}
