// Fast input gradients through frozen projections.
//
// For y = W·x, ggml's backward computes dL/dx = OUT_PROD(W, (dL/dy)ᵀ). The CPU
// OUT_PROD kernel is untiled and dominates a LoRA step. Since a frozen W never
// changes, its transpose Wᵀ is laid out once (quantized bases as Q8_0), and
// the OUT_PROD node is rewritten into MUL_MAT(Wᵀ, dL/dy), which runs on the
// fast (quantized) matrix-multiplication kernels of every backend.
#include "train_internal.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace cltrain {

namespace {

bool is_frozen_weight(const cl_trainer * t, const ggml_tensor * w) {
    return w->buffer == t->w.buf && !(w->flags & GGML_TENSOR_FLAG_PARAM) && ggml_n_dims(w) == 2;
}

// transposed_type keeps F32, F16 and BF16 as they are (exact) and stores
// quantized bases as Q8_0, whose blocks of 32 need rows (the output
// dimension) divisible by 32.
ggml_type transposed_type(const ggml_tensor * w) {
    if (w->type == GGML_TYPE_F32 || w->type == GGML_TYPE_F16 || w->type == GGML_TYPE_BF16) {
        return w->type;
    }
    if (w->ne[1] % ggml_blck_size(GGML_TYPE_Q8_0) != 0) {
        return GGML_TYPE_F32;
    }
    return GGML_TYPE_Q8_0;
}

bool make_transposed(cl_trainer * t, const std::set<ggml_tensor *> & need, std::string & err) {
    std::vector<ggml_tensor *> todo;
    for (ggml_tensor * w : need) {
        if (!t->transposed.count(w)) {
            todo.push_back(w);
        }
    }
    if (todo.empty()) {
        return true;
    }
    ggml_init_params ip  = { (todo.size() + 1) * ggml_tensor_overhead(), nullptr, true };
    ggml_context *   ctx = ggml_init(ip);
    t->transposed_ctx.push_back(ctx);
    std::vector<ggml_tensor *> wt(todo.size());
    for (size_t i = 0; i < todo.size(); ++i) {
        wt[i] = ggml_new_tensor_2d(ctx, transposed_type(todo[i]), todo[i]->ne[1], todo[i]->ne[0]);
        ggml_format_name(wt[i], "%s.T", todo[i]->name);
    }
    ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors(ctx, t->backend);
    if (!buf) {
        err = "out of memory allocating transposed weights for the fast backward";
        return false;
    }
    ggml_backend_buffer_set_usage(buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
    t->transposed_buf.push_back(buf);

    std::vector<uint8_t> raw;
    std::vector<float>   rows, cols;
    std::vector<uint8_t> packed;
    for (size_t i = 0; i < todo.size(); ++i) {
        ggml_tensor * w   = todo[i];
        const int64_t in  = w->ne[0];
        const int64_t out = w->ne[1];
        raw.resize(ggml_nbytes(w));
        ggml_backend_tensor_get(w, raw.data(), 0, raw.size());
        rows.resize(in * out);
        if (w->type == GGML_TYPE_F32) {
            memcpy(rows.data(), raw.data(), raw.size());
        } else {
            ggml_get_type_traits(w->type)->to_float(raw.data(), rows.data(), in * out);
        }
        cols.resize(in * out);
        for (int64_t r = 0; r < out; ++r) {
            for (int64_t c = 0; c < in; ++c) {
                cols[c * out + r] = rows[r * in + c];
            }
        }
        if (wt[i]->type == GGML_TYPE_F32) {
            ggml_backend_tensor_set(wt[i], cols.data(), 0, cols.size() * sizeof(float));
        } else {
            packed.resize(ggml_nbytes(wt[i]));
            ggml_quantize_chunk(wt[i]->type, cols.data(), packed.data(), 0, in, out, nullptr);
            ggml_backend_tensor_set(wt[i], packed.data(), 0, packed.size());
        }
        t->transposed[w] = wt[i];
    }
    return true;
}

} // namespace

bool patch_frozen_backward(cl_trainer * t, ggml_cgraph * gb, std::string & err) {
    std::vector<ggml_tensor *> nodes;
    std::set<ggml_tensor *>    need;
    for (int i = 0; i < ggml_graph_n_nodes(gb); ++i) {
        ggml_tensor * n = ggml_graph_node(gb, i);
        if (n->op == GGML_OP_OUT_PROD && is_frozen_weight(t, n->src[0]) && n->src[1]->op == GGML_OP_TRANSPOSE &&
            ggml_is_contiguous(n->src[1]->src[0])) {
            nodes.push_back(n);
            need.insert(n->src[0]);
        }
    }
    if (!make_transposed(t, need, err)) {
        return false;
    }
    // A frozen F16/BF16 matrix left in an OUT_PROD would abort the CPU
    // backend; the forward only makes the shape rewritten above, so this
    // guards a future change of the forward.
    for (int i = 0; i < ggml_graph_n_nodes(gb); ++i) {
        ggml_tensor * n = ggml_graph_node(gb, i);
        if (n->op == GGML_OP_OUT_PROD && std::find(nodes.begin(), nodes.end(), n) == nodes.end() &&
            (n->src[0]->type == GGML_TYPE_F16 || n->src[0]->type == GGML_TYPE_BF16)) {
            err = std::string("no fast backward for ") + ggml_get_name(n->src[0]) + " (" +
                  ggml_type_name(n->src[0]->type) + ")";
            return false;
        }
    }
    for (ggml_tensor * n : nodes) {
        // The transpose view was made for this node alone: turn it back into
        // a plain view of the output gradient, which MUL_MAT takes as is.
        ggml_tensor * view = n->src[1];
        ggml_tensor * grad = view->src[0];
        view->op           = GGML_OP_VIEW;
        memcpy(view->ne, grad->ne, sizeof(view->ne));
        memcpy(view->nb, grad->nb, sizeof(view->nb));
        memset(view->op_params, 0, sizeof(view->op_params));

        n->op     = GGML_OP_MUL_MAT;
        n->src[0] = t->transposed.at(n->src[0]);
        n->src[1] = view;
        memset(n->op_params, 0, sizeof(n->op_params));
    }
    return true;
}

void free_transposed(cl_trainer * t) {
    for (ggml_backend_buffer_t b : t->transposed_buf) {
        ggml_backend_buffer_free(b);
    }
    for (ggml_context * c : t->transposed_ctx) {
        ggml_free(c);
    }
    t->transposed.clear();
    t->transposed_buf.clear();
    t->transposed_ctx.clear();
}

} // namespace cltrain
