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

.PHONY: all setup build test vet bench demo cuda clean

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

# The tree walk and release are C of our own over tree-sitter's internals:
# their tests also run under AddressSanitizer, which reports a read of
# freed or foreign memory that the allocation counts cannot see. (Not the
# whole extract package: the pinned Swift grammar's scanner sizes its state
# with calloc(0, ...), which glibc's smallest block covers but ASan reports.)
test: setup vet
	@./scripts/test-deps.sh
	$(GO) test -timeout $(TEST_TIMEOUT) ./...
	CGO_CFLAGS="-O1 -g" $(GO) test -asan -count=1 ./extract/internal/treewalk

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
# binary (or CODELOOM_LIB_PATH). Needs the CUDA toolkit and CMake.
CUDA_ARCHS ?= native
cuda: setup
	cmake -S . -B build/cuda -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCHS)
	cmake --build build/cuda --parallel --target ggml-cuda
	mkdir -p bin/lib && cp -a build/cuda/lib/libggml-cuda.so* build/cuda/lib/libggml-base.so* bin/lib/

clean:
	rm -rf bin build .engine .treesitter
