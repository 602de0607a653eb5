// Training engine: LoRA adapters and full fine-tuning of llama-family models
// (llama, qwen2, qwen3) on ggml, driven step by step from Go.
//
// A trainer owns the frozen base weights, the trainable tensors, their
// gradient accumulators and optimizer moments. Go feeds token windows and
// calls cl_train_accumulate once per micro-batch, then cl_train_update once
// per optimizer step with the learning rate of the schedule.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cl_trainer cl_trainer;

enum cl_optimizer { CL_OPT_ADAMW = 0, CL_OPT_SGD = 1 };

typedef struct cl_train_params {
    const char * model_path;
    bool         full;          // train every tensor instead of LoRA adapters
    int32_t      lora_rank;     // LoRA rank r (ignored with full)
    float        lora_alpha;    // LoRA scale is alpha / r
    const char * targets;       // comma-separated projections: attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down
    int32_t      optimizer;     // enum cl_optimizer
    int32_t      threads;       // CPU threads (> 0)
    bool         gpu;           // place weights and compute on the first GPU device
    uint64_t     seed;          // initialisation of LoRA A
    bool         fast_backward; // input gradients of frozen projections as mul_mat against transposed weights
} cl_train_params;

typedef struct cl_train_info {
    char    arch[32];
    int32_t n_vocab, n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx_train;
    int64_t n_trainable;      // number of trainable scalars
    int32_t n_params;         // number of trainable tensors
    char    backend[64];      // device the graph runs on
    char    base_type[16];    // type of the projection weights (F32, Q8_0, ...)
} cl_train_info;

// cl_train_new loads the base model and creates the trainable tensors. On
// failure it returns NULL and writes a message to err.
cl_trainer * cl_train_new(const cl_train_params * p, char * err, size_t err_len);
void         cl_train_free(cl_trainer * t);
void         cl_train_get_info(const cl_trainer * t, cl_train_info * info);

// cl_train_memory is the bytes the trainer holds in backend buffers: weights
// (and their transposed copies), trainable state and compute graphs.
int64_t cl_train_memory(const cl_trainer * t);

// cl_train_counters reports what the trainer did so far, for benchmarks
// and checks: bytes of window inputs set on the backend and the number of
// transfers that set them (one a step), and how many step graphs were
// built and allocated.
void cl_train_counters(const cl_trainer * t, int64_t * uploaded, int64_t * uploads, int32_t * graph_builds);

// cl_train_placement reports where the nodes of the last step graph built
// (eval: the evaluation graph, else the training graph) run: its node count,
// the scheduler's split count and how many nodes it placed off the training
// device (both 0 and 1 mean the whole step runs on one backend), and in
// refused one line per op and reason for the nodes this engine copy's CUDA
// backend would refuse, whatever backend the trainer runs on. Returns 1
// when no such graph was built yet.
typedef struct cl_train_placement_info {
    int32_t n_nodes, n_splits, n_off_device;
} cl_train_placement_info;
int cl_train_placement(const cl_trainer * t, int32_t eval, cl_train_placement_info * info, char * refused,
                       size_t refused_len);

// cl_train_accumulate runs forward and backward over n_batch windows of n
// tokens each (tokens, seg and labels hold n * n_batch values, window after
// window) in one graph, the windows side by side in a batch dimension, and
// adds grad_scale times the gradient of the sum of their mean losses into
// the accumulators: the same as one call per window. seg[i] is the sample
// each token belongs to: tokens attend only within their sample and window,
// and positions restart at each sample. labels[i] is the token that position
// i must predict, or -1 when position i is not scored; every window needs
// one. loss receives the sum of the windows' mean cross-entropies.
int cl_train_accumulate(cl_trainer * t, const int32_t * tokens, const int32_t * seg, const int32_t * labels,
                        int32_t n, int32_t n_batch, float grad_scale, float * loss, char * err, size_t err_len);

// cl_train_eval runs the forward only and returns the summed negative
// log-likelihood over scored positions and their count.
int cl_train_eval(cl_trainer * t, const int32_t * tokens, const int32_t * seg, const int32_t * labels, int32_t n,
                  double * nll_sum, int32_t * n_scored, char * err, size_t err_len);

// cl_train_update applies one optimizer step with the accumulated gradients
// and zeroes them. step is the 1-based optimizer step (AdamW bias correction).
int cl_train_update(cl_trainer * t, float lr, float beta1, float beta2, float eps, float weight_decay, int64_t step,
                    char * err, size_t err_len);

// Trainable tensors, for checkpoints and export. which: 0 value, 1 AdamW
// first moment, 2 AdamW second moment. Values cross as float32.
enum cl_param_part { CL_PARAM_VALUE = 0, CL_PARAM_M = 1, CL_PARAM_V = 2 };
int32_t      cl_train_n_params(const cl_trainer * t);
const char * cl_train_param_name(const cl_trainer * t, int32_t i);
void         cl_train_param_shape(const cl_trainer * t, int32_t i, int64_t * ne0, int64_t * ne1);
int          cl_train_param_get(const cl_trainer * t, int32_t i, int32_t which, float * dst, int64_t n);
int          cl_train_param_set(cl_trainer * t, int32_t i, int32_t which, const float * src, int64_t n);

// cl_reference_loss computes the mean next-token cross-entropy of tokens with
// llama.cpp's own inference path (optionally with a LoRA adapter file), as an
// independent check of the training forward.
int cl_reference_loss(const char * model_path, const char * adapter_path, const int32_t * tokens, int32_t n,
                      int32_t threads, double * loss, char * err, size_t err_len);

#ifdef __cplusplus
}
#endif
