// Internal types of the training engine shared by the train_*.cpp files.
#pragma once

#include "ggml-backend.h"
#include "ggml.h"
#include "train.h"

#include <cstdarg>
#include <map>
#include <string>
#include <vector>

namespace cltrain {

// The architectures whose forward has a ggml backward: llama (RoPE normal),
// qwen2 (RoPE neox, q/k/v biases), qwen3 (RoPE neox, per-head q/k RMS norm).
enum class arch { llama, qwen2, qwen3 };

struct hparams {
    std::string arch_name;
    arch        kind        = arch::llama;
    int32_t     n_vocab     = 0;
    int32_t     n_embd      = 0;
    int32_t     n_layer     = 0;
    int32_t     n_head      = 0;
    int32_t     n_head_kv   = 0;
    int32_t     n_ff        = 0;
    int32_t     head_dim_k  = 0;
    int32_t     head_dim_v  = 0;
    int32_t     n_rot       = 0;
    int32_t     n_ctx_train = 0;
    float       rms_eps     = 1e-5f;
    float       rope_base   = 10000.0f;
    float       rope_scale  = 1.0f;  // frequency scale (1 / scaling factor)
    float       rope_ext    = 0.0f;  // YaRN extrapolation mix (1 with YaRN scaling)
    float       rope_attn   = 1.0f;  // RoPE attention factor
    int32_t     rope_orig   = 0;     // context the RoPE scaling was made for
    int         rope_mode() const { return kind == arch::llama ? 0 : 2; } // GGML_ROPE_TYPE_NORMAL / NEOX
};

// One transformer layer's tensors; optional ones are null when absent.
struct layer {
    ggml_tensor *attn_norm = nullptr, *wq = nullptr, *wk = nullptr, *wv = nullptr, *wo = nullptr;
    ggml_tensor *bq = nullptr, *bk = nullptr, *bv = nullptr;
    ggml_tensor *q_norm = nullptr, *k_norm = nullptr;
    ggml_tensor *ffn_norm = nullptr, *ffn_gate = nullptr, *ffn_up = nullptr, *ffn_down = nullptr;
};

struct weights {
    ggml_context *              ctx = nullptr;
    ggml_backend_buffer_t       buf = nullptr;
    std::map<std::string, ggml_tensor *> by_name;
    ggml_tensor *               tok_embd    = nullptr;
    ggml_tensor *               output_norm = nullptr;
    ggml_tensor *               output      = nullptr; // token_embd when tied
    ggml_tensor *               rope_freqs  = nullptr;
    std::vector<layer>          layers;
};

struct lora_pair {
    ggml_tensor * a = nullptr; // [in, r]
    ggml_tensor * b = nullptr; // [r, out]
};

// A trainable tensor with its gradient accumulator and optimizer moments.
struct param {
    ggml_tensor * value = nullptr;
    ggml_tensor * grad  = nullptr;
    ggml_tensor * m     = nullptr;
    ggml_tensor * v     = nullptr;
};

// The compute graph for one window shape, training (forward and backward)
// or evaluation (forward only). It is built and allocated once per shape and
// then computed many times: its own scheduler keeps the allocation, since
// tensors that carry an earlier allocation are not placed again. The shape
// is the window length and the scored rows rounded up to a bucket, so that
// windows whose scored count differs a little share one graph.
struct step_graph {
    bool                 backward = false;
    ggml_backend_sched_t sched    = nullptr;
    int32_t        n_tokens = 0, n_batch = 0, n_rows = 0; // the shape: tokens per window, windows, rows with padding
    int32_t        n_scored = 0;             // rows of the last window that carry a label
    ggml_context * ctx      = nullptr;
    ggml_cgraph *  graph    = nullptr;
    // Inputs, in a buffer of their own on the training device so that a
    // step sets them with one upload (blob spans the whole buffer). run: the
    // index of the sample run each token belongs to, as F32, from which the
    // graph builds the attention mask; rows: the positions whose logits are
    // computed; labels: each row's label as F32 (exact below 2^24);
    // weights: -1 / (its window's scored rows) for scored rows, 0 for
    // padding; seed: d(objective)/d(loss), the gradient scale of this
    // micro-batch (training graphs only).
    ggml_context *        in_ctx = nullptr;
    ggml_backend_buffer_t in_buf = nullptr;
    ggml_tensor *         blob   = nullptr;
    ggml_tensor *  tokens = nullptr, *pos = nullptr, *run = nullptr, *rows = nullptr, *labels = nullptr,
                *weights = nullptr, *seed = nullptr;
    ggml_tensor *  loss = nullptr;
};

} // namespace cltrain

struct cl_trainer {
    cl_train_params                 p{};
    std::string                     model_path, targets;
    cltrain::hparams                hp;
    ggml_backend_t                  backend = nullptr; // where weights live and the graph runs
    ggml_backend_t                  cpu     = nullptr; // fallback for ops the device lacks
    cltrain::weights                w;
    std::map<std::string, cltrain::lora_pair> lora;    // by base tensor name
    float                           lora_scale = 1.0f;
    std::vector<cltrain::param>     params;
    ggml_context *                  state_ctx = nullptr; // LoRA tensors, accumulators, moments, optimizer inputs
    ggml_backend_buffer_t           state_buf = nullptr;
    ggml_backend_buffer_t           grad_buf  = nullptr; // accumulators only, cleared after each update
    ggml_context *                  grad_ctx  = nullptr;
    ggml_tensor *                   opt_hp    = nullptr; // optimizer hyper-parameters
    ggml_context *                  opt_ctx   = nullptr;
    ggml_cgraph *                   opt_graph = nullptr;
    // transposed frozen weights for fast input gradients, by base tensor
    std::map<const ggml_tensor *, ggml_tensor *> transposed;
    std::vector<ggml_context *>          transposed_ctx;
    std::vector<ggml_backend_buffer_t>   transposed_buf;
    cltrain::step_graph             train_graph, eval_graph;
    int64_t                         uploaded     = 0; // bytes of window inputs set on the backend
    int64_t                         uploads      = 0; // host-to-device transfers of window inputs
    int32_t                         graph_builds = 0; // step graphs built and allocated
};

namespace cltrain {

void set_err(char * err, size_t err_len, const char * fmt, ...);

// train_model.cpp
bool load_model(cl_trainer * t, std::string & err);
// train_graph.cpp
size_t graph_capacity(const hparams & hp);
// prepare_step_graph makes g fit the window shape, rebuilding and
// allocating it when the shape changed.
bool prepare_step_graph(cl_trainer * t, step_graph & g, int32_t n_tokens, int32_t n_batch, int32_t n_rows,
                        std::string & err);
void free_step_graph(step_graph & g);
// train_placement.cpp
void keep_refused_on_cpu(const cl_trainer * t, ggml_backend_sched_t sched, ggml_cgraph * gb);
// train_fast_backward.cpp
bool patch_frozen_backward(cl_trainer * t, ggml_cgraph * gb, std::string & err);
void free_transposed(cl_trainer * t);

} // namespace cltrain
