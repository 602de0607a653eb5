# codeloom build. `make demo` and `make test` are the two commands of README.md.

GO      ?= go
BIN     := bin/codeloom
# The engine's CPU backend is compiled for this machine's SIMD; without these
# flags ggml builds for baseline x86-64 and runs about 3x slower.
CPU_FLAGS ?= -march=native
export CGO_CFLAGS   := -O3 $(CPU_FLAGS)
export CGO_CXXFLAGS := -O3 $(CPU_FLAGS)

ENGINE_MODULE := github.com/ollama/ollama
TREESITTER_MODULE := github.com/smacker/go-tree-sitter
TEST_TIMEOUT  ?= 80m
BENCH         ?= .

.PHONY: all setup build test test-asan vet bench demo cuda clean

all: build

# .engine links to the ollama module folder so cgo finds llama.cpp and ggml
# headers (see native/engine.go); .treesitter links to the tree-sitter
# binding's folder for the runtime headers the extraction walk reads (see
# extract/internal/treewalk). Both links are git-ignored.
setup:
	@$(GO) mod download
	@ln -sfn "$$($(GO) list -m -f '{{.Dir}}' $(ENGINE_MODULE))" .engine
	@test -f .engine/llama/llama.cpp/include/llama.h || { echo "engine headers not found under .engine"; exit 1; }
	@ln -sfn "$$($(GO) list -m -f '{{.Dir}}' $(TREESITTER_MODULE))" .treesitter
	@test -f .treesitter/subtree.h || { echo "tree-sitter headers not found under .treesitter"; exit 1; }

build: setup
	$(GO) build -o $(BIN) .

# The tree walk is C of our own over tree-sitter's internals: its tests
# also run under AddressSanitizer, which reports a read of freed or foreign
# memory that a comparison with the binding's traversal cannot see. (Not the
# whole extract package: the pinned Swift grammar's scanner sizes its state
# with calloc(0, ...), which glibc's smallest block covers but ASan reports.)
test: setup vet
	@./scripts/test-deps.sh
	$(GO) test -timeout $(TEST_TIMEOUT) ./...
	CGO_CFLAGS="-O1 -g" $(GO) test -asan -count=1 ./extract/internal/treewalk
	@$(MAKE) --no-print-directory test-asan

# The engine's C++ with codeloom's own under AddressSanitizer (go test -asan
# alone instruments C, not C++): contexts and models freed in every order
# the product uses (freeing a context once read its freed backends, silent
# on the CPU, a crash on CUDA), training steps (one window and windows side
# by side) and the placement report. The engine is compiled a
# second time with these flags: minutes once, then the Go build cache.
# Leak checking is off: the engine keeps its backend registry for the
# process's life on purpose.
ASAN_CXXFLAGS := -O1 -g -fsanitize=address -fno-omit-frame-pointer
test-asan: setup
	CGO_CFLAGS="-O1 -g" CGO_CXXFLAGS="$(ASAN_CXXFLAGS)" ASAN_OPTIONS=detect_leaks=0 \
		$(GO) test -asan -count=1 -run 'TestLifecycle|TestTrainerStepInputs|TestAccumulateBatch|TestPlacement' ./bindings

# staticcheck also finds unused code; it is fetched through the Go module
# proxy at a pinned version.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet: setup
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: setup
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -timeout 60m ./...

demo: build
	./scripts/demo.sh

# GPU backends as shared libraries loaded at start-up from lib/ beside the
# binary (or CODELOOM_LIB_PATH). Needs the CUDA toolkit (12 or 13; 11.8
# compiles too) and CMake >= 3.24; Ninja is used when present.
# CUDA_ARCHS is CMake's CMAKE_CUDA_ARCHITECTURES: `native` (the default)
# builds for the GPUs of this machine and needs one; on a build host without
# a GPU name the target's, e.g. CUDA_ARCHS=90 for H100/H200, 89 for L4/4090,
# 80 for A100, or a list "80;90". Each extra architecture adds minutes.
CUDA_ARCHS ?= native
NVCC ?= $(or $(shell command -v nvcc 2>/dev/null),$(wildcard /usr/local/cuda/bin/nvcc))
CMAKE_GENERATOR ?= $(if $(shell command -v ninja 2>/dev/null),Ninja,Unix Makefiles)
cuda: setup
	@command -v cmake >/dev/null || { echo "make cuda: cmake is not installed (CMake >= 3.24 is needed)"; exit 1; }
	@test -n "$(NVCC)" || { echo "make cuda: no CUDA compiler: nvcc is neither on PATH nor in /usr/local/cuda/bin (install the CUDA toolkit, or set NVCC=/path/to/nvcc)"; exit 1; }
	cmake -S . -B build/cuda -G "$(CMAKE_GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DCODELOOM_REQUIRE_CUDA=ON \
		-DCMAKE_CUDA_COMPILER="$(NVCC)" -DCMAKE_CUDA_ARCHITECTURES="$(CUDA_ARCHS)"
	cmake --build build/cuda --parallel --target ggml-cuda
	mkdir -p bin/lib && cp -a build/cuda/lib/libggml-cuda.so* build/cuda/lib/libggml-base.so* bin/lib/

clean:
	rm -rf bin build .engine .treesitter
