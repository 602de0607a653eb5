#!/usr/bin/env bash
# gpu-check.sh: every check and benchmark of a CUDA host in one run.
#
#   scripts/gpu-check.sh prepare     # here, with Go: builds build/gpu-kit (about 40 MB)
#   scripts/gpu-check.sh run [OUT]   # on the GPU machine, without Go: one table at the end
#
# `prepare` builds, for the x86-64-v3 CPUs of GPU hosts, the codeloom binary
# and the bindings test binary (go test -c), and copies the engine's ggml
# sources, CMakeLists.txt, the stories260K fixture and the peer benchmark
# (../shared/gpu/peer_hf.py) beside them. `run` needs nvcc, CMake (>= 3.24)
# and, for the peer, Python with torch, transformers and peft: it builds
# libggml-cuda.so for this machine's GPU, then runs
#   1. `codeloom version` (the CUDA device is listed),
#   2. the GPU tests: contexts and models freed in every order, GPU text =
#      CPU text, training loss GPU = CPU, and the CPU lifecycle test,
#   3. `codeloom generate` with every layer offloaded and with none (the
#      same text, exit 0), and `codeloom serve` answering, evicting and
#      reloading two models,
#   4. the training and decode benchmarks, and the peer's,
# and prints one table of results and ratios. Logs go to OUT (default
# $OUT, else ./gpu-check-out). Each step has a time limit and the whole run
# ends within GPU_CHECK_SECONDS (560 by default, under the device's
# 10-minute call), so a hung step costs its limit and the table still
# prints. The peer runs while the CUDA library builds. Give the device call
# a timeout of about 590 s.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# The kit is the folder this script sits in once prepare has copied it
# there, else build/gpu-kit of the checkout.
if [ -e "$here/bindings.test.gz" ] || [ -e "$here/bindings.test" ]; then
    kit=${GPU_KIT:-$here}
else
    kit=${GPU_KIT:-$root/build/gpu-kit}
fi

die() { echo "gpu-check: $*" >&2; exit 1; }

prepare() {
    command -v go >/dev/null || die "prepare needs Go (run it on the build machine)"
    cd "$root" || exit 1
    make setup >/dev/null || die "make setup failed"
    rm -rf "$kit" && mkdir -p "$kit/engine/ml/backend/ggml" "$kit/fixtures" || exit 1
    # GPU hosts' CPUs are not this one: build for a baseline every current
    # server CPU has (AVX2, FMA, F16C).
    local flags="-O3 -march=x86-64-v3"
    echo "building codeloom and the bindings tests for x86-64-v3 (a first build of the engine takes minutes)"
    CGO_CFLAGS="$flags" CGO_CXXFLAGS="$flags" go build -o "$kit/codeloom" . || die "go build failed"
    CGO_CFLAGS="$flags" CGO_CXXFLAGS="$flags" go test -c -o "$kit/bindings.test" ./bindings || die "go test -c failed"
    gzip -f "$kit/codeloom" "$kit/bindings.test"
    cp -a "$(readlink -f .engine)/ml/backend/ggml/ggml" "$kit/engine/ml/backend/ggml/" || exit 1
    chmod -R u+w "$kit/engine"
    # A module of its own: the copied engine's Go files must not join
    # ./... of the checkout the kit sits in.
    printf 'module gpukit\n' >"$kit/go.mod"
    cp CMakeLists.txt "$kit/"
    cp "$0" "$kit/gpu-check.sh"
    local shared=$root/../shared
    cp "$shared/fixtures/stories260K.gguf" "$kit/fixtures/" || die "../shared/fixtures/stories260K.gguf not found"
    cp "$shared/gpu/peer_hf.py" "$kit/" || die "../shared/gpu/peer_hf.py not found"
    du -sh "$kit"
    echo "carry build/gpu-kit to the GPU machine and run: bash build/gpu-kit/gpu-check.sh run"
}

# step NAME LIMIT CMD...: runs CMD with a time limit, its output in
# $out/NAME.log, and records pass or fail for the table.
declare -a rows=()
step() {
    local name=$1 limit=$2
    shift 2
    local t0=$SECONDS
    # The whole run must end inside the device's per-call limit with time
    # left to print the table: a step gets what remains at most.
    local left=$((deadline - SECONDS))
    if [ "$left" -lt 15 ]; then
        rows+=("$(printf '%-28s %s' "$name" 'SKIPPED: out of time')")
        return 1
    fi
    [ "$limit" -gt "$left" ] && limit=$left
    echo "== $name (limit ${limit}s)"
    timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
    local rc=$?
    local verdict=ok
    [ $rc -ne 0 ] && verdict="FAIL rc=$rc"
    [ $rc -eq 124 ] && verdict="TIMEOUT"
    rows+=("$(printf '%-28s %-12s %4ss' "$name" "$verdict" $((SECONDS - t0)))")
    tail -3 "$out/$name.log"
    return $rc
}

# metric LOG BENCH UNIT: the value of UNIT on the benchmark line BENCH.
metric() {
    awk -v b="$2" -v u="$3" '$1 ~ b { for (i = 2; i <= NF; i++) if ($i == u) v = $(i-1) } END { print v }' "$1"
}

# peer_tps LOG SHAPE: tokens/s of peer_hf.py's fp32 LoRA r8 line for SHAPE.
peer_tps() {
    awk -v s="$2" '$1 == "hf" && $2 == s && $3 == "lora" && $5 == "float32" { for (i = 6; i <= NF; i++) if ($i == "tok/s") print $(i-1) }' "$1" 2>/dev/null
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2fx", a / b }'; }

run() {
    out=${1:-${OUT:-$PWD/gpu-check-out}}
    deadline=${GPU_CHECK_SECONDS:-560}
    mkdir -p "$out" || exit 1
    cd "$kit" || die "no kit at $kit: run 'prepare' first"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee "$out/gpu.txt"
    for f in codeloom bindings.test; do
        [ -f "$f.gz" ] && { gunzip -f "$f.gz" || exit 1; }
        chmod +x "$f"
    done
    # The peer needs the GPU but few cores: it runs while the CUDA library
    # builds on the CPUs, which leave the GPU idle.
    local peer_pid=
    if python3 -c 'import torch, transformers, peft' 2>/dev/null; then
        timeout 200 python3 peer_hf.py 150 >"$out/peer-hf.log" 2>&1 &
        peer_pid=$!
    fi
    local jobs
    jobs=$(nproc)
    local nvcc
    nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
    local archs=${CUDA_ARCHS:-native}
    local gen=Ninja
    command -v ninja >/dev/null || gen="Unix Makefiles"
    # GPU_CHECK_NO_CUDA=1 skips the CUDA build: the rest of the run then
    # exercises the script itself on a machine without a GPU.
    if [ -z "${GPU_CHECK_NO_CUDA:-}" ] && [ ! -f build/lib/libggml-cuda.so ]; then
        step cuda-configure 120 cmake -S . -B build -G "$gen" -DENGINE_DIR="$kit/engine" -DCODELOOM_REQUIRE_CUDA=ON \
            -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="$archs" || { report; exit 1; }
        step cuda-build 360 cmake --build build --parallel "$jobs" --target ggml-cuda || { report; exit 1; }
    fi
    export CODELOOM_LIB_PATH=$kit/build/lib
    export CODELOOM_FIXTURES=$kit/fixtures
    step version 60 ./codeloom version
    grep -q CUDA "$out/version.log" || rows+=("$(printf '%-28s %s' version-lists-cuda 'FAIL: no CUDA device listed')")

    step gpu-tests 90 ./bindings.test -test.run 'TestGPU|TestLifecycle|TestTrainerStepInputs|TestTrainGraphStaysOnCUDA' -test.v -test.count 1

    local prompt="Once upon a time"
    step generate-gpu 60 ./codeloom generate -m fixtures/stories260K.gguf --gpu-layers -1 -p "$prompt" -n 48 --temp 0
    step generate-cpu 60 ./codeloom generate -m fixtures/stories260K.gguf --gpu-layers 0 -p "$prompt" -n 48 --temp 0
    if [ -s "$out/generate-gpu.log" ] && cmp -s <(grep -v '^\[' "$out/generate-gpu.log") <(grep -v '^\[' "$out/generate-cpu.log"); then
        rows+=("$(printf '%-28s %s' generate-gpu=cpu ok)")
    else
        rows+=("$(printf '%-28s %s' generate-gpu=cpu 'FAIL: texts differ')")
    fi
    export -f serve_check train_check
    step serve-evict 60 bash -c serve_check
    step train-cli 90 bash -c train_check

    if [ -n "$peer_pid" ]; then
        wait "$peer_pid" && rows+=("$(printf '%-28s %s' peer-hf ok)") || rows+=("$(printf '%-28s %s' peer-hf FAIL)")
    fi
    step bench-train 180 ./bindings.test -test.run '^$' -test.bench 'GPUTrainStep' -test.benchtime 3x
    step bench-decode 90 ./bindings.test -test.run '^$' -test.bench 'GPUDecode' -test.benchtime 3x
    report
}

# serve_check starts `codeloom serve` with two models and one slot, asks
# each in turn (every switch evicts the other model and frees its
# contexts), and stops it with SIGTERM: it must answer all and exit 0.
serve_check() {
    local store port=18431 pid i m code
    store=$(mktemp -d)
    cp fixtures/stories260K.gguf "$store/a.gguf"
    cp fixtures/stories260K.gguf "$store/b.gguf"
    ./codeloom serve --models "$store" --addr "127.0.0.1:$port" --max-loaded 1 --gpu-layers -1 &
    pid=$!
    for i in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
    for i in 1 2 3; do
        for m in a b; do
            code=$(curl -s -o /dev/stderr -w '%{http_code}' -H 'Content-Type: application/json' \
                -d "{\"model\":\"$m\",\"prompt\":\"Once upon a time\",\"max_tokens\":16}" \
                "http://127.0.0.1:$port/v1/completions")
            echo " model $m: HTTP $code"
            [ "$code" = 200 ] || { kill "$pid"; return 1; }
        done
    done
    kill -TERM "$pid"
    wait "$pid"
}

# train_check trains an adapter on the GPU through the command line, two
# windows side by side per micro-batch, with evaluation and export: the
# product's path around what the tests cover. GPU_CHECK_NO_CUDA runs it on
# the CPU.
train_check() {
    local dir i gl=-1
    [ -n "${GPU_CHECK_NO_CUDA:-}" ] && gl=0
    dir=$(mktemp -d)
    for i in $(seq 300); do
        printf '{"text":"Once upon a time there was a little bird number %d. It liked to sing in the park."}\n' "$i"
    done >"$dir/data.jsonl"
    ./codeloom train --base fixtures/stories260K.gguf --data "$dir/data.jsonl" --out "$dir/run" --gpu-layers "$gl" \
        --ctx 64 --micro-batch 2 --max-steps 20 && test -s "$dir/run/adapter.gguf"
}

report() {
    local bt=$out/bench-train.log bd=$out/bench-decode.log peer=$out/peer-hf.log
    echo
    echo "================ gpu-check: $(cat "$out/gpu.txt" 2>/dev/null)"
    printf '%s\n' "${rows[@]}"
    if [ -f "$bt" ]; then
        local s q hs hq
        # Names end in -GOMAXPROCS; the anchor keeps the 4x512 lines apart.
        local sm='smol135m/lora-r8-[0-9]+$' qm='qwen05b/lora-r8-[0-9]+$'
        s=$(metric "$bt" "$sm" tok/s)
        q=$(metric "$bt" "$qm" tok/s)
        hs=$(peer_tps "$peer" smol135m)
        hq=$(peer_tps "$peer" qwen05b)
        echo
        printf '%-30s %12s %12s %10s %s\n' "training (2048 tokens)" codeloom "HF PEFT" ratio "(target >= 1.5x)"
        printf '%-30s %12s %12s %10s  MiB %s, upload %s MiB/step, %s model TFLOP/s\n' "smol135m LoRA r8 tok/s" "$s" "${hs:-n/a}" \
            "$(ratio "$s" "$hs")" "$(metric "$bt" "$sm" MiB)" "$(metric "$bt" "$sm" upload_MiB/step)" "$(metric "$bt" "$sm" model_TFLOP/s)"
        printf '%-30s %12s %12s %10s  MiB %s, upload %s MiB/step, %s model TFLOP/s\n' "qwen05b LoRA r8 tok/s" "$q" "${hq:-n/a}" \
            "$(ratio "$q" "$hq")" "$(metric "$bt" "$qm" MiB)" "$(metric "$bt" "$qm" upload_MiB/step)" "$(metric "$bt" "$qm" model_TFLOP/s)"
        printf '%-30s %12s %12s %10s\n' "graph splits (smol, qwen)" "$(metric "$bt" "$sm" splits)" \
            "$(metric "$bt" "$qm" splits)" "(want 1)"
        local sb ob
        sb=$(metric "$bt" 'lora-r8-4x512/side-by-side' tok/s)
        ob=$(metric "$bt" 'lora-r8-4x512/one-by-one' tok/s)
        printf '%-30s %12s %12s %10s\n' "smol 4x512: side by side" "$sb" "$ob" "$(ratio "$sb" "$ob")"
    fi
    if [ -f "$bd" ]; then
        local cg bg cp bp
        cg=$(metric "$bd" 'GPUDecode/codeloom' gen_tok/s)
        bg=$(metric "$bd" 'GPUDecode/bare' gen_tok/s)
        cp=$(metric "$bd" 'GPUDecode/codeloom' prompt_tok/s)
        bp=$(metric "$bd" 'GPUDecode/bare' prompt_tok/s)
        echo
        printf '%-30s %12s %12s %10s %s\n' "decode (qwen05b Q8_0, all GPU)" codeloom bare ratio "(target >= 0.97x)"
        printf '%-30s %12s %12s %10s\n' "prompt tok/s (512)" "$cp" "$bp" "$(ratio "$cp" "$bp")"
        printf '%-30s %12s %12s %10s\n' "generation tok/s (128)" "$cg" "$bg" "$(ratio "$cg" "$bg")"
    fi
    echo "logs: $out"
}

case ${1:-} in
prepare) prepare ;;
run) shift; run "$@" ;;
*) echo "usage: $0 prepare | run [OUT]" >&2; exit 2 ;;
esac
