// The training graph: the llama-family forward without a KV cache (the cache
// store has no backward), a per-sample causal mask, the cross-entropy over
// scored positions only, and ggml's backward with our gradient accumulators.
#include "train_internal.h"

#include <cmath>

namespace cltrain {

namespace {

struct forward_builder {
    cl_trainer *   t;
    ggml_context * ctx;
    int32_t        n_tokens; // per window
    int32_t        n_batch;  // windows side by side

    // proj is y = W·x (+ scale·B·(A·x) when W carries a LoRA adapter).
    ggml_tensor * proj(ggml_tensor * w, ggml_tensor * x) const {
        ggml_tensor * y  = ggml_mul_mat(ctx, w, x);
        auto          it = t->lora.find(ggml_get_name(w));
        if (it != t->lora.end()) {
            ggml_tensor * ab = ggml_mul_mat(ctx, it->second.b, ggml_mul_mat(ctx, it->second.a, x));
            y                = ggml_add(ctx, y, ggml_scale(ctx, ab, t->lora_scale));
        }
        return y;
    }

    ggml_tensor * norm(ggml_tensor * x, ggml_tensor * weight) const {
        return ggml_mul(ctx, ggml_rms_norm(ctx, x, t->hp.rms_eps), weight);
    }

    ggml_tensor * rope(ggml_tensor * x, ggml_tensor * pos) const {
        const hparams & hp = t->hp;
        return ggml_rope_ext(ctx, x, pos, t->w.rope_freqs, hp.n_rot, hp.rope_mode(), hp.rope_orig, hp.rope_base,
                             hp.rope_scale, hp.rope_ext, hp.rope_attn, /*beta_fast=*/32.0f, /*beta_slow=*/1.0f);
    }

    ggml_tensor * attention(const layer & l, ggml_tensor * h, ggml_tensor * pos, ggml_tensor * mask) const {
        const hparams & hp = t->hp;
        const int32_t   T  = n_tokens, B = n_batch;
        ggml_tensor *   q  = proj(l.wq, h);
        ggml_tensor *   k  = proj(l.wk, h);
        ggml_tensor *   v  = proj(l.wv, h);
        if (l.bq) {
            q = ggml_add(ctx, q, l.bq);
        }
        if (l.bk) {
            k = ggml_add(ctx, k, l.bk);
        }
        if (l.bv) {
            v = ggml_add(ctx, v, l.bv);
        }
        q = ggml_reshape_3d(ctx, q, hp.head_dim_k, hp.n_head, T * B);
        k = ggml_reshape_3d(ctx, k, hp.head_dim_k, hp.n_head_kv, T * B);
        v = ggml_reshape_4d(ctx, v, hp.head_dim_v, hp.n_head_kv, T, B);
        if (l.q_norm) {
            q = norm(q, l.q_norm);
        }
        if (l.k_norm) {
            k = norm(k, l.k_norm);
        }
        q = rope(q, pos);
        k = rope(k, pos);

        // Attention runs per window: windows are the fourth dimension.
        q = ggml_reshape_4d(ctx, q, hp.head_dim_k, hp.n_head, T, B);
        k = ggml_reshape_4d(ctx, k, hp.head_dim_k, hp.n_head_kv, T, B);

        ggml_tensor * Q = ggml_permute(ctx, q, 0, 2, 1, 3);                // [hd, T, n_head, B]
        ggml_tensor * K = ggml_permute(ctx, k, 0, 2, 1, 3);                // [hd, T, n_head_kv, B]
        ggml_tensor * V = ggml_cont(ctx, ggml_permute(ctx, v, 1, 2, 0, 3)); // [T, hd, n_head_kv, B]
        // ggml's backward of a product broadcast over heads (grouped-query
        // attention) handles three dimensions only: with several windows,
        // heads and windows share the third as h + n_head * b, which keeps
        // the grouping (query head h reads KV head h / (n_head / n_head_kv)
        // of its own window). One window, or as many KV heads as query
        // heads, needs no copy.
        const bool flat = B > 1 && hp.n_head_kv != hp.n_head;
        if (flat) {
            Q = ggml_reshape_3d(ctx, ggml_cont(ctx, Q), hp.head_dim_k, T, hp.n_head * B);
            K = ggml_reshape_3d(ctx, ggml_cont(ctx, K), hp.head_dim_k, T, hp.n_head_kv * B);
            V = ggml_reshape_3d(ctx, V, T, hp.head_dim_v, hp.n_head_kv * B);
        }
        ggml_tensor * kq = ggml_reshape_4d(ctx, ggml_mul_mat(ctx, K, Q), T, T, hp.n_head, B); // [T_k, T_q, n_head, B]
        kq               = ggml_soft_max_ext(ctx, kq, mask, 1.0f / sqrtf((float) hp.head_dim_k), 0.0f);
        if (flat) {
            kq = ggml_reshape_3d(ctx, kq, T, T, hp.n_head * B);
        }
        ggml_tensor * o = ggml_reshape_4d(ctx, ggml_mul_mat(ctx, V, kq), hp.head_dim_v, T, hp.n_head, B);
        o               = ggml_cont(ctx, ggml_permute(ctx, o, 0, 2, 1, 3)); // [hd, n_head, T, B]
        o               = ggml_reshape_2d(ctx, o, hp.head_dim_v * hp.n_head, T * B);
        return proj(l.wo, o);
    }

    ggml_tensor * feed_forward(const layer & l, ggml_tensor * h) const {
        return proj(l.ffn_down, ggml_swiglu_split(ctx, proj(l.ffn_gate, h), proj(l.ffn_up, h)));
    }

    // hidden returns the final normalized hidden states [n_embd, T * B].
    ggml_tensor * hidden(ggml_tensor * tokens, ggml_tensor * pos, ggml_tensor * mask) const {
        ggml_tensor * x = ggml_get_rows(ctx, t->w.tok_embd, tokens);
        for (const layer & l : t->w.layers) {
            x = ggml_add(ctx, x, attention(l, norm(x, l.attn_norm), pos, mask));
            x = ggml_add(ctx, x, feed_forward(l, norm(x, l.ffn_norm)));
        }
        return norm(x, t->w.output_norm);
    }
};

// pin_backward_inputs keeps one input of each RMS_NORM_BACK and
// SOFT_MAX_BACK node out of the allocator's reach: the graph allocator may
// let these ops write their result over an input whose last reader they
// are, and each CPU kernel is wrong for one of its inputs. SOFT_MAX_BACK
// first copies the gradient into its result and then multiplies by the
// softmax output, so its result must not overwrite the output (src 1);
// RMS_NORM_BACK first copies the normalized input into its result and then
// adds the gradient, so its result must not overwrite the gradient (src 0).
// Pinning both inputs, as this once did, also kept every layer's softmax
// gradient (n x n x heads) to the end of the step: 4.5 GiB more at 2048
// tokens on a 135M model.
void pin_backward_inputs(ggml_cgraph * gb) {
    for (int i = 0; i < ggml_graph_n_nodes(gb); ++i) {
        ggml_tensor * n   = ggml_graph_node(gb, i);
        int           src = -1;
        if (n->op == GGML_OP_SOFT_MAX_BACK) {
            src = 1;
        } else if (n->op == GGML_OP_RMS_NORM_BACK) {
            src = 0;
        }
        if (src >= 0 && n->src[src] && !n->src[src]->buffer) {
            ggml_set_output(n->src[src]);
        }
    }
}

} // namespace

size_t graph_capacity(const hparams & hp) {
    return 4096 + (size_t) hp.n_layer * 1024;
}

void free_step_graph(step_graph & g) {
    if (g.ctx) {
        ggml_free(g.ctx);
    }
    if (g.in_buf) {
        ggml_backend_buffer_free(g.in_buf);
    }
    if (g.in_ctx) {
        ggml_free(g.in_ctx);
    }
    g.ctx = g.in_ctx = nullptr;
    g.in_buf         = nullptr;
    g.graph          = nullptr;
    g.n_tokens = g.n_batch = g.n_rows = 0;
}

namespace {

// add_backward extends the forward graph with the backward pass. Gradients
// go straight into the trainer's accumulators; the loss's own gradient is
// the seed tensor that scales each micro-batch.
bool add_backward(cl_trainer * t, step_graph & g, std::string & err) {
    std::vector<ggml_tensor *>                   accs(ggml_graph_n_nodes(g.graph), nullptr);
    std::map<const ggml_tensor *, ggml_tensor *> grad_of;
    for (const param & p : t->params) {
        grad_of[p.value] = p.grad;
    }
    for (int i = 0; i < ggml_graph_n_nodes(g.graph); ++i) {
        ggml_tensor * n = ggml_graph_node(g.graph, i);
        if (n == g.loss) {
            accs[i] = g.seed;
        } else if (auto it = grad_of.find(n); it != grad_of.end()) {
            accs[i] = it->second;
        }
    }
    ggml_build_backward_expand(g.ctx, g.graph, accs.data());
    pin_backward_inputs(g.graph);
    return !t->p.fast_backward || patch_frozen_backward(t, g.graph, err);
}

} // namespace

// label_loss is the windows' mean cross-entropy, read from the labels'
// token ids: each row's softmax is multiplied by a one-hot of its label made
// on the device (|vocabulary index - label| < 0.5), summed across the
// vocabulary to the label's probability, and its log weighted and summed.
// ggml's own cross-entropy takes the labels as a dense [n_vocab, rows]
// distribution the host would fill and upload every step (1.2 GB for a
// 2048-token window on a 152k vocabulary). Gathering the probabilities by
// index instead (GET_ROWS over the probabilities seen as one column) is
// exact on the CPU but cannot run on CUDA: this engine copy's GET_ROWS_BACK
// launches one block row per destination row, at most 65,535, and the
// column has n_vocab * rows. Every op here runs forward and backward on the
// CPU and CUDA backends.
static ggml_tensor * label_loss(ggml_context * ctx, ggml_tensor * logits, ggml_tensor * labels, ggml_tensor * weights) {
    const int64_t nv = logits->ne[0], rows = logits->ne[1];
    ggml_tensor * vocab  = ggml_repeat_4d(ctx, ggml_arange(ctx, 0.0f, (float) nv, 1.0f), nv, rows, 1, 1);
    ggml_tensor * dist   = ggml_abs(ctx, ggml_sub(ctx, vocab, labels));               // |j - label|
    ggml_tensor * onehot = ggml_step(ctx, ggml_scale_bias(ctx, dist, -1.0f, 0.5f)); // 1 at the label
    ggml_tensor * picked = ggml_sum_rows(ctx, ggml_mul(ctx, ggml_soft_max(ctx, logits), onehot)); // [1, rows]
    return ggml_sum(ctx, ggml_mul(ctx, ggml_log(ctx, picked), weights));
}

// sample_mask builds the attention masks [keys, queries, 1, windows] of a
// batch from each token's sample run index [tokens, windows]: 0 where the
// key is at or before the query in the same sample, minus infinity
// elsewhere. Built on the device from 4 bytes a token, where a host-made
// mask was n x n floats to upload each step (16 MiB for a 2048-token
// window). Keys of an earlier sample get -1e30 rather than -inf, since the
// mask is a product with a 0/1 step and 0 * -inf is NaN; after the
// softmax's max subtraction both are exactly 0.
static ggml_tensor * sample_mask(ggml_context * ctx, ggml_tensor * run) {
    const int64_t n = run->ne[0], b = run->ne[1];
    ggml_tensor * query = ggml_repeat_4d(ctx, ggml_reshape_4d(ctx, run, 1, n, 1, b), n, n, 1, b); // run[q]
    ggml_tensor * other = ggml_step(ctx, ggml_sub(ctx, query, ggml_reshape_4d(ctx, run, n, 1, 1, b)));
    return ggml_diag_mask_inf(ctx, ggml_scale(ctx, other, -1e30f), 0);
}

// make_inputs creates the window's input tensors in a buffer of their own
// on the training device. Left to the scheduler, inputs live in host memory
// and are copied to the device one by one inside every step; here the host
// fills one staging block and uploads it at once (set_inputs), and the
// scheduler, seeing the tensors already placed, copies nothing.
static bool make_inputs(cl_trainer * t, step_graph & g, std::string & err) {
    ggml_init_params ip = { 10 * ggml_tensor_overhead(), nullptr, true };
    g.in_ctx            = ggml_init(ip);
    ggml_context * ctx  = g.in_ctx;
    const int64_t  n    = (int64_t) g.n_tokens * g.n_batch;
    g.tokens            = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, n);
    g.pos               = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, n);
    g.run               = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, g.n_tokens, g.n_batch);
    g.rows              = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, g.n_rows);
    g.labels            = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 1, g.n_rows);
    g.weights           = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 1, g.n_rows);
    g.seed              = g.backward ? ggml_new_tensor_1d(ctx, GGML_TYPE_F32, 1) : nullptr;
    g.in_buf            = ggml_backend_alloc_ctx_tensors(ctx, t->backend);
    if (!g.in_buf) {
        err = "out of memory allocating the inputs of " + std::to_string(n) + " tokens";
        return false;
    }
    g.blob = ggml_new_tensor_1d(ctx, GGML_TYPE_I8, (int64_t) ggml_backend_buffer_get_size(g.in_buf));
    if (ggml_backend_tensor_alloc(g.in_buf, g.blob, ggml_backend_buffer_get_base(g.in_buf)) != GGML_STATUS_SUCCESS) {
        err = "cannot map the window's input buffer";
        return false;
    }
    return true;
}

bool prepare_step_graph(cl_trainer * t, step_graph & g, int32_t n_tokens, int32_t n_batch, int32_t n_rows,
                        std::string & err) {
    if (g.ctx && g.n_tokens == n_tokens && g.n_batch == n_batch && g.n_rows == n_rows) {
        return true;
    }
    free_step_graph(g);
    t->graph_builds++;
    const size_t     cap = graph_capacity(t->hp);
    ggml_init_params ip  = { cap * 3 * ggml_tensor_overhead() + ggml_graph_overhead_custom(cap, true), nullptr, true };
    g.ctx                = ggml_init(ip);
    g.n_tokens           = n_tokens;
    g.n_batch            = n_batch;
    g.n_rows             = n_rows;
    ggml_context * ctx   = g.ctx;

    if (!make_inputs(t, g, err)) {
        free_step_graph(g);
        return false;
    }

    forward_builder fb{ t, ctx, n_tokens, n_batch };
    ggml_tensor *   mask   = sample_mask(ctx, g.run);
    ggml_tensor *   h      = ggml_get_rows(ctx, fb.hidden(g.tokens, g.pos, mask), g.rows); // scored rows only
    ggml_tensor *   logits = ggml_mul_mat(ctx, t->w.output, h);                              // [n_vocab, n_rows]
    g.loss                 = label_loss(ctx, logits, g.labels, g.weights);
    ggml_set_loss(g.loss);
    ggml_set_output(g.loss);

    g.graph = ggml_new_graph_custom(ctx, cap, g.backward);
    ggml_build_forward_expand(g.graph, g.loss);
    if (g.backward && !add_backward(t, g, err)) {
        free_step_graph(g);
        return false;
    }
    ggml_backend_sched_reset(g.sched);
    keep_refused_on_cpu(t, g.sched, g.graph);
    if (!ggml_backend_sched_alloc_graph(g.sched, g.graph)) {
        err = "out of memory allocating the compute graph for a window of " + std::to_string(n_tokens) + " tokens";
        free_step_graph(g);
        return false;
    }
    return true;
}

} // namespace cltrain
