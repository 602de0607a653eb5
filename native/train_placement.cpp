// Where the step graph's nodes run. ggml_backend_sched runs any node the
// device backend refuses on the CPU backend, copying its inputs down and its
// result back inside the step: correct, but every such node splits the graph
// and synchronises the host. This file reports that placement: on a real
// device, what the scheduler decided; on any machine, which nodes this engine
// copy's CUDA backend would refuse, so that a CPU-only test can keep the
// training graph whole for the GPU.
#include "train_internal.h"

#include <cstring>
#include <map>
#include <string>

namespace cltrain {

namespace {

bool no_i32(const ggml_tensor * t) {
    return t->type != GGML_TYPE_I32 && t->type != GGML_TYPE_I16;
}

bool cuda_cpy_pair(ggml_type a, ggml_type b) {
    const auto is_float = [](ggml_type x) {
        return x == GGML_TYPE_F32 || x == GGML_TYPE_F16 || x == GGML_TYPE_BF16;
    };
    if (is_float(a) && is_float(b)) {
        return true;
    }
    const auto is_quant = [](ggml_type x) {
        return x == GGML_TYPE_Q8_0 || x == GGML_TYPE_Q4_0 || x == GGML_TYPE_Q4_1 || x == GGML_TYPE_Q5_0 ||
               x == GGML_TYPE_Q5_1;
    };
    return (a == GGML_TYPE_F32 && (is_quant(b) || b == GGML_TYPE_IQ4_NL || b == GGML_TYPE_I32)) ||
           (b == GGML_TYPE_F32 && (is_quant(a) || a == GGML_TYPE_I32)) ||
           (a == GGML_TYPE_I32 && b == GGML_TYPE_I32);
}

} // namespace

// cuda_cannot_launch is true for nodes this engine copy's CUDA backend
// accepts but cannot launch: its GET_ROWS_BACK uses one block row per
// destination row, and a grid's second dimension ends at 65,535.
static bool cuda_cannot_launch(const ggml_tensor * n) {
    return n->op == GGML_OP_GET_ROWS_BACK && n->ne[1] > 65535;
}

// cuda_refusal says why the CUDA backend of this engine copy would refuse
// node n, or returns null when it accepts it. It restates, for the ops a
// training or evaluation graph can contain, the conditions of
// ggml_backend_cuda_device_supports_op (ggml-cuda.cu); an op it does not
// list is refused, so a new op in the graph is reported rather than assumed.
// It also refuses what the backend accepts but cannot launch.
static const char * cuda_refusal(const ggml_tensor * n) {
    const ggml_tensor * a = n->src[0];
    const ggml_tensor * b = n->src[1];
    switch (n->op) {
        case GGML_OP_NONE:
        case GGML_OP_RESHAPE:
        case GGML_OP_VIEW:
        case GGML_OP_PERMUTE:
        case GGML_OP_TRANSPOSE:
        case GGML_OP_ADD:
        case GGML_OP_ADD1:
        case GGML_OP_SUB:
        case GGML_OP_MUL:
        case GGML_OP_DIV:
        case GGML_OP_SCALE:
        case GGML_OP_SQR:
        case GGML_OP_SQRT:
        case GGML_OP_LOG:
        case GGML_OP_CLAMP:
        case GGML_OP_CONT:
        case GGML_OP_ACC:
        case GGML_OP_NORM:
        case GGML_OP_RMS_NORM:
        case GGML_OP_DIAG_MASK_INF:
        case GGML_OP_SOFT_MAX:
        case GGML_OP_ARANGE:
        case GGML_OP_FILL:
        case GGML_OP_TRI:
        case GGML_OP_CROSS_ENTROPY_LOSS:
        case GGML_OP_CROSS_ENTROPY_LOSS_BACK:
        case GGML_OP_OPT_STEP_ADAMW:
        case GGML_OP_OPT_STEP_SGD:
            return nullptr;
        case GGML_OP_UNARY:
            switch (ggml_get_unary_op(n)) {
                case GGML_UNARY_OP_ABS:
                case GGML_UNARY_OP_NEG:
                case GGML_UNARY_OP_STEP:
                case GGML_UNARY_OP_SILU:
                case GGML_UNARY_OP_EXP:
                case GGML_UNARY_OP_RELU:
                    return ggml_is_contiguous(a) ? nullptr : "source not contiguous";
                default:
                    return "unary op not implemented";
            }
        case GGML_OP_GLU:
            return ggml_get_glu_op(n) == GGML_GLU_OP_SWIGLU && ggml_is_contiguous_1(a) ? nullptr
                                                                                        : "only contiguous SWIGLU";
        case GGML_OP_MUL_MAT:
            if (b->type == GGML_TYPE_F16 && a->type != GGML_TYPE_F16) {
                return "F16 activations need F16 weights";
            }
            if (b->ne[2] * b->ne[3] > 1024) {
                return "more than 1024 batched matrices";
            }
            return a->type == GGML_TYPE_F32 || a->type == GGML_TYPE_F16 || a->type == GGML_TYPE_BF16 ||
                           ggml_is_quantized(a->type) ?
                       nullptr :
                       "weight type";
        case GGML_OP_OUT_PROD:
            return n->type == GGML_TYPE_F32 && a->type == GGML_TYPE_F32 && b->type == GGML_TYPE_F32 ?
                       nullptr :
                       "OUT_PROD is F32 x F32 only";
        case GGML_OP_GET_ROWS:
            switch (a->type) {
                case GGML_TYPE_F16:
                case GGML_TYPE_F32:
                case GGML_TYPE_BF16:
                case GGML_TYPE_I32:
                case GGML_TYPE_Q4_0:
                case GGML_TYPE_Q4_1:
                case GGML_TYPE_Q5_0:
                case GGML_TYPE_Q5_1:
                case GGML_TYPE_Q8_0:
                case GGML_TYPE_Q6_K:
                    return nullptr;
                default:
                    return "GET_ROWS of this type";
            }
        case GGML_OP_GET_ROWS_BACK:
            if (cuda_cannot_launch(n)) {
                return "accepted, but launches one block row per destination row (at most 65535)";
            }
            return n->type == GGML_TYPE_F32 && a->type == GGML_TYPE_F32 && n->ne[2] == 1 && n->ne[3] == 1 ?
                       nullptr :
                       "GET_ROWS_BACK is 2-D F32 only";
        case GGML_OP_CPY:
            return cuda_cpy_pair(a->type, b->type) ||
                           (a->type == b->type && ggml_is_contiguous(a) && ggml_is_contiguous(b)) ?
                       nullptr :
                       "copy between these types";
        case GGML_OP_DUP:
        case GGML_OP_REPEAT:
        case GGML_OP_CONCAT:
            return no_i32(a) ? nullptr : "integer source";
        case GGML_OP_REPEAT_BACK:
            return n->type == GGML_TYPE_F32 && a->ne[2] * a->ne[3] <= (1 << 15) ? nullptr : "REPEAT_BACK shape";
        case GGML_OP_SILU_BACK:
            return ggml_is_contiguous(a) && a->type == GGML_TYPE_F32 ? nullptr : "source not contiguous F32";
        case GGML_OP_RMS_NORM_BACK:
            return ggml_is_contiguous(a) && n->ne[0] % 32 == 0 ? nullptr : "rows not a multiple of 32 or not contiguous";
        case GGML_OP_SOFT_MAX_BACK: {
            float max_bias = 0.0f;
            memcpy(&max_bias, (const float *) n->op_params + 1, sizeof(float));
            return max_bias == 0.0f ? nullptr : "ALiBi bias";
        }
        case GGML_OP_ROPE:
        case GGML_OP_ROPE_BACK:
            return a->nb[0] == ggml_type_size(a->type) && ggml_is_contiguous_2(a) ? nullptr
                                                                                   : "source not contiguous in dims 0-2";
        case GGML_OP_SUM:
            return ggml_is_contiguous_rows(a) ? nullptr : "rows not contiguous";
        case GGML_OP_SUM_ROWS:
        case GGML_OP_MEAN:
            return ggml_is_contiguous(a) ? nullptr : "source not contiguous";
        default:
            return "op not implemented";
    }
}

// placement_report lists, one line per op and reason, the nodes of g the
// CUDA backend would refuse, with their count and the first node's name.
static std::string placement_report(const step_graph & g) {
    std::map<std::string, std::pair<int, std::string>> seen;
    for (int i = 0; g.graph && i < ggml_graph_n_nodes(g.graph); ++i) {
        const ggml_tensor * n   = ggml_graph_node(g.graph, i);
        const char *        why = cuda_refusal(n);
        if (!why) {
            continue;
        }
        std::string key = std::string(ggml_op_desc(n)) + " (" + ggml_type_name(n->src[0]->type) + "): " + why;
        auto &      e   = seen[key];
        if (e.first++ == 0) {
            e.second = ggml_get_name(n);
        }
    }
    std::string out;
    for (const auto & [key, e] : seen) {
        out += key + " x" + std::to_string(e.first) + ", first " + e.second + "\n";
    }
    return out;
}

// keep_refused_on_cpu assigns the nodes of gb that a CUDA backend accepts
// but cannot run (see cuda_refusal) to the CPU backend, before the graph is
// allocated; the scheduler already sends the nodes CUDA refuses there. On
// other backends it does nothing.
void keep_refused_on_cpu(const cl_trainer * t, ggml_backend_sched_t sched, ggml_cgraph * gb) {
    if (t->backend == t->cpu || strncmp(ggml_backend_name(t->backend), "CUDA", 4) != 0) {
        return;
    }
    for (int i = 0; i < ggml_graph_n_nodes(gb); ++i) {
        ggml_tensor * n = ggml_graph_node(gb, i);
        if (cuda_cannot_launch(n)) {
            ggml_backend_sched_set_tensor_backend(sched, n, t->cpu);
        }
    }
}

} // namespace cltrain

extern "C" int cl_train_placement(const cl_trainer * t, int32_t eval, cl_train_placement_info * info, char * refused,
                                  size_t refused_len) {
    const cltrain::step_graph & g = eval ? t->eval_graph : t->train_graph;
    memset(info, 0, sizeof(*info));
    if (!g.graph) {
        cltrain::set_err(refused, refused_len, "no step graph has been built yet");
        return 1;
    }
    info->n_nodes  = ggml_graph_n_nodes(g.graph);
    info->n_splits = ggml_backend_sched_get_n_splits(g.sched);
    for (int i = 0; i < info->n_nodes; ++i) {
        ggml_tensor *  n = ggml_graph_node(g.graph, i);
        ggml_backend_t b = ggml_backend_sched_get_tensor_backend(g.sched, n);
        info->n_off_device += b != nullptr && b != t->backend;
    }
    snprintf(refused, refused_len, "%s", cltrain::placement_report(g).c_str());
    return 0;
}
