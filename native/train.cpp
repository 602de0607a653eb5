// Trainer lifecycle, steps and parameter access (the C API of train.h).
#include "train_internal.h"

#include "ggml-cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

using namespace cltrain;

namespace {

const char * const k_targets[] = { "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down" };

ggml_tensor * target_tensor(const layer & l, const std::string & name) {
    if (name == "attn_q") return l.wq;
    if (name == "attn_k") return l.wk;
    if (name == "attn_v") return l.wv;
    if (name == "attn_output") return l.wo;
    if (name == "ffn_gate") return l.ffn_gate;
    if (name == "ffn_up") return l.ffn_up;
    if (name == "ffn_down") return l.ffn_down;
    return nullptr;
}

bool parse_targets(const std::string & list, std::vector<std::string> & out, std::string & err) {
    std::stringstream ss(list);
    std::string       item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) {
            continue;
        }
        bool known = false;
        for (const char * k : k_targets) {
            known = known || item == k;
        }
        if (!known) {
            err = "unknown LoRA target \"" + item +
                  "\" (known: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down)";
            return false;
        }
        out.push_back(item);
    }
    if (out.empty()) {
        err = "no LoRA targets given";
        return false;
    }
    return true;
}

bool init_backends(cl_trainer * t, std::string & err) {
    t->cpu = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, nullptr);
    if (!t->cpu) {
        err = "cannot start the CPU backend";
        return false;
    }
    ggml_backend_cpu_set_n_threads(t->cpu, t->p.threads);
    t->backend = t->cpu;
    if (t->p.gpu) {
        ggml_backend_dev_t dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_GPU);
        if (!dev) {
            err = "training on a GPU was asked for, but no GPU backend is loaded (build it with `make cuda`)";
            return false;
        }
        t->backend = ggml_backend_dev_init(dev, nullptr);
        if (!t->backend) {
            err = std::string("cannot start GPU device ") + ggml_backend_dev_name(dev);
            return false;
        }
    }
    return true;
}

// add_lora creates A (uniform ±1/sqrt(in), as PEFT's Kaiming init) and B
// (zero) for each target projection of each layer.
bool add_lora(cl_trainer * t, std::vector<std::pair<ggml_tensor *, int64_t>> & init_a, std::string & err) {
    std::vector<std::string> targets;
    if (!parse_targets(t->targets, targets, err)) {
        return false;
    }
    const int64_t r = t->p.lora_rank;
    if (r <= 0) {
        err = "LoRA rank must be positive";
        return false;
    }
    for (const layer & l : t->w.layers) {
        for (const std::string & name : targets) {
            ggml_tensor * w = target_tensor(l, name);
            if (r > w->ne[0] || r > w->ne[1]) {
                err = "LoRA rank " + std::to_string(r) + " is larger than tensor " + w->name + " (" +
                      std::to_string(w->ne[0]) + "x" + std::to_string(w->ne[1]) + ")";
                return false;
            }
            lora_pair p;
            p.a = ggml_new_tensor_2d(t->state_ctx, GGML_TYPE_F32, w->ne[0], r);
            p.b = ggml_new_tensor_2d(t->state_ctx, GGML_TYPE_F32, r, w->ne[1]);
            ggml_format_name(p.a, "%s.lora_a", w->name);
            ggml_format_name(p.b, "%s.lora_b", w->name);
            t->lora[w->name] = p;
            t->params.push_back({ p.a });
            t->params.push_back({ p.b });
            init_a.push_back({ p.a, w->ne[0] });
        }
    }
    t->lora_scale = t->p.lora_alpha > 0 ? t->p.lora_alpha / (float) r : 1.0f;
    return true;
}

bool init_state(cl_trainer * t, std::string & err) {
    const size_t     n_tensors = t->w.by_name.size() * 8 + 64;
    ggml_init_params ip        = { n_tensors * ggml_tensor_overhead(), nullptr, true };
    t->state_ctx               = ggml_init(ip);
    t->grad_ctx                = ggml_init(ip);

    std::vector<std::pair<ggml_tensor *, int64_t>> init_a;
    if (t->p.full) {
        for (auto & kv : t->w.by_name) {
            t->params.push_back({ kv.second });
        }
    } else if (!add_lora(t, init_a, err)) {
        return false;
    }
    const bool adamw = t->p.optimizer == CL_OPT_ADAMW;
    for (param & p : t->params) {
        ggml_set_param(p.value);
        p.grad = ggml_dup_tensor(t->grad_ctx, p.value);
        ggml_format_name(p.grad, "%s.grad", p.value->name);
        if (adamw) {
            p.m = ggml_dup_tensor(t->state_ctx, p.value);
            p.v = ggml_dup_tensor(t->state_ctx, p.value);
        }
    }
    t->opt_hp    = ggml_new_tensor_1d(t->state_ctx, GGML_TYPE_F32, adamw ? 7 : 2);

    t->state_buf = ggml_backend_alloc_ctx_tensors(t->state_ctx, t->backend);
    t->grad_buf  = ggml_backend_alloc_ctx_tensors(t->grad_ctx, t->backend);
    if (!t->state_buf || !t->grad_buf) {
        err = "out of memory allocating trainable tensors and optimizer state";
        return false;
    }
    ggml_backend_buffer_clear(t->state_buf, 0);
    ggml_backend_buffer_clear(t->grad_buf, 0);

    std::mt19937_64 rng(t->p.seed);
    for (auto & [a, fan_in] : init_a) {
        std::uniform_real_distribution<float> u(-1.0f / sqrtf((float) fan_in), 1.0f / sqrtf((float) fan_in));
        std::vector<float>                    v(ggml_nelements(a));
        for (float & x : v) {
            x = u(rng);
        }
        ggml_backend_tensor_set(a, v.data(), 0, v.size() * sizeof(float));
    }
    return true;
}

bool build_optimizer(cl_trainer * t, std::string & err) {
    const size_t     cap = t->params.size() * 4 + 16;
    ggml_init_params ip  = { cap * ggml_tensor_overhead() + ggml_graph_overhead_custom(cap, false), nullptr, true };
    t->opt_ctx           = ggml_init(ip);
    t->opt_graph         = ggml_new_graph_custom(t->opt_ctx, cap, false);
    for (const param & p : t->params) {
        ggml_tensor * step = t->p.optimizer == CL_OPT_ADAMW ?
                                 ggml_opt_step_adamw(t->opt_ctx, p.value, p.grad, p.m, p.v, t->opt_hp) :
                                 ggml_opt_step_sgd(t->opt_ctx, p.value, p.grad, t->opt_hp);
        if (!ggml_backend_supports_op(t->backend, step)) {
            err = std::string("the ") + (t->p.optimizer == CL_OPT_ADAMW ? "AdamW" : "SGD") +
                  " step is not supported on " + ggml_backend_name(t->backend);
            return false;
        }
        ggml_build_forward_expand(t->opt_graph, step);
    }
    return true;
}

// row_bucket rounds the scored row count up to one of eight sizes per
// window length, so that windows of one length share a step graph (built
// and allocated once) instead of each count of scored rows building its own.
// Padding costs at most an eighth of the output projection's work.
int32_t row_bucket(int32_t n_rows, int32_t n_tokens) {
    const int32_t step = (n_tokens + 7) / 8;
    return std::min(n_tokens, (n_rows + step - 1) / step * step);
}

// set_inputs fills the step graph's inputs for nb windows of n tokens,
// about 20 bytes a token (ids, positions, sample runs, labels, weights) and
// the gradient seed, into one staging block laid out as the device buffer
// is, and uploads it with one transfer. Each window's scored rows weigh
// 1 / its scored count, so the loss is the sum of the windows' mean losses,
// as if each had been a step of its own.
void set_inputs(cl_trainer * t, step_graph & g, const int32_t * tokens, const int32_t * seg,
                const int32_t * labels, int32_t n, int32_t nb, float grad_scale) {
    std::vector<uint8_t> block(ggml_nbytes(g.blob));
    const auto at = [&](const ggml_tensor * in) {
        return block.data() + ((const char *) in->data - (const char *) g.blob->data);
    };
    memcpy(at(g.tokens), tokens, ggml_nbytes(g.tokens));
    auto * pos     = (int32_t *) at(g.pos);
    auto * run     = (float *) at(g.run);
    auto * rows    = (int32_t *) at(g.rows);
    auto * label   = (float *) at(g.labels);
    auto * weights = (float *) at(g.weights);
    int32_t       r  = 0;
    for (int32_t b = 0; b < nb; ++b) {
        const int32_t first = r;
        for (int32_t j = 0; j < n; ++j) {
            const int32_t i    = b * n + j;
            const bool    same = j > 0 && seg[i] == seg[i - 1];
            pos[i]             = same ? pos[i - 1] + 1 : 0;
            run[i]             = same ? run[i - 1] : (j > 0 ? run[i - 1] + 1 : 0); // exact: runs < 2^24
            if (labels[i] >= 0) {
                label[r]  = (float) labels[i];
                rows[r++] = i;
            }
        }
        std::fill(weights + first, weights + r, -1.0f / (float) (r - first));
    }
    g.n_scored = r;
    for (; r < g.n_rows; ++r) { // padding: row 0 and label 0, weighted 0
        label[r]   = 0.0f;
        rows[r]    = 0;
        weights[r] = 0.0f;
    }
    if (g.seed) {
        memcpy(at(g.seed), &grad_scale, sizeof(float));
    }
    ggml_backend_tensor_set(g.blob, block.data(), 0, block.size());
    t->uploaded += (int64_t) block.size();
    t->uploads++;
}

// fits_memory refuses batches whose attention scores and output
// probabilities alone exceed the device's memory, before anything that large
// is allocated.
bool fits_memory(const cl_trainer * t, int32_t n, int32_t nb, int32_t n_rows, std::string & err) {
    const double need = 4.0 * n * n * nb * (1 + t->hp.n_head) + 4.0 * t->hp.n_vocab * n_rows;
    size_t       free = 0, total = 0;
    ggml_backend_dev_memory(ggml_backend_get_device(t->backend), &free, &total);
    if (total > 0 && need > (double) total) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "out of memory: %d window(s) of %d tokens need more than %.1f GiB for attention and logits, the "
                 "device has %.1f GiB; lower --ctx or --micro-batch",
                 nb, n, need / (1 << 30), (double) total / (1 << 30));
        err = msg;
        return false;
    }
    return true;
}

// prepare validates nb windows of n tokens, readies graph g for their shape
// and sets its inputs.
bool prepare(cl_trainer * t, step_graph & g, const int32_t * tokens, const int32_t * seg, const int32_t * labels,
             int32_t n, int32_t nb, float grad_scale, std::string & err) {
    if (n <= 0 || nb <= 0) {
        err = "empty token window";
        return false;
    }
    int32_t n_rows = 0;
    for (int32_t b = 0; b < nb; ++b) {
        int32_t scored = 0;
        for (int32_t i = b * n; i < (b + 1) * n; ++i) {
            if (tokens[i] < 0 || tokens[i] >= t->hp.n_vocab) {
                err = "token id " + std::to_string(tokens[i]) + " outside the vocabulary of " +
                      std::to_string(t->hp.n_vocab);
                return false;
            }
            if (labels[i] >= t->hp.n_vocab || labels[i] < -1) {
                err = "label " + std::to_string(labels[i]) + " outside the vocabulary";
                return false;
            }
            scored += labels[i] >= 0;
        }
        if (scored == 0) {
            err = "window has no scored positions";
            return false;
        }
        n_rows += scored;
    }
    const int64_t total = (int64_t) n * nb;
    if (total > INT32_MAX / 2) {
        err = std::to_string(total) + " tokens in one step are too many; lower --ctx or --micro-batch";
        return false;
    }
    const int32_t shape = row_bucket(n_rows, (int32_t) total);
    if (!fits_memory(t, n, nb, shape, err)) {
        return false;
    }
    if (!prepare_step_graph(t, g, n, nb, shape, err)) {
        return false;
    }
    set_inputs(t, g, tokens, seg, labels, n, nb, grad_scale);
    return true;
}

bool compute(const step_graph & g, std::string & err) {
    if (ggml_backend_sched_graph_compute(g.sched, g.graph) != GGML_STATUS_SUCCESS) {
        err = "graph computation failed";
        return false;
    }
    return true;
}

int fail(const std::string & msg, char * err, size_t err_len) {
    set_err(err, err_len, "%s", msg.c_str());
    return 1;
}

// guarded runs f and turns a C++ exception (host allocations that fail) into
// an error, since none may unwind into Go.
template <typename F> int guarded(char * err, size_t err_len, F && f) {
    try {
        return f();
    } catch (const std::bad_alloc &) {
        return fail("out of memory", err, err_len);
    } catch (const std::exception & e) {
        return fail(e.what(), err, err_len);
    }
}

} // namespace

extern "C" {

cl_trainer * cl_train_new(const cl_train_params * p, char * err, size_t err_len) {
    std::string e;
    if (!p || !p->model_path) {
        set_err(err, err_len, "no model path");
        return nullptr;
    }
    if (p->threads <= 0) {
        set_err(err, err_len, "threads must be positive");
        return nullptr;
    }
    if (p->optimizer != CL_OPT_ADAMW && p->optimizer != CL_OPT_SGD) {
        set_err(err, err_len, "unknown optimizer %d", p->optimizer);
        return nullptr;
    }
    cl_trainer * t = new cl_trainer();
    t->p           = *p;
    t->model_path  = p->model_path;
    t->targets     = p->targets ? p->targets : "";
    t->p.model_path = t->model_path.c_str();
    t->p.targets    = t->targets.c_str();
    const int rc = guarded(err, err_len, [&]() {
        if (!init_backends(t, e) || !load_model(t, e) || !init_state(t, e) || !build_optimizer(t, e)) {
            return fail(e, err, err_len);
        }
        return 0;
    });
    if (rc != 0) {
        cl_train_free(t);
        return nullptr;
    }
    ggml_backend_t backends[2] = { t->backend, t->cpu };
    const int      n_backends  = t->backend == t->cpu ? 1 : 2;
    for (step_graph * g : { &t->train_graph, &t->eval_graph }) {
        g->sched = ggml_backend_sched_new(backends, nullptr, n_backends, graph_capacity(t->hp), false, n_backends > 1);
    }
    t->train_graph.backward = true;
    return t;
}

void cl_train_free(cl_trainer * t) {
    if (!t) {
        return;
    }
    for (step_graph * g : { &t->train_graph, &t->eval_graph }) {
        free_step_graph(*g);
        if (g->sched) ggml_backend_sched_free(g->sched);
    }
    free_transposed(t);
    if (t->opt_ctx) ggml_free(t->opt_ctx);
    if (t->state_buf) ggml_backend_buffer_free(t->state_buf);
    if (t->grad_buf) ggml_backend_buffer_free(t->grad_buf);
    if (t->state_ctx) ggml_free(t->state_ctx);
    if (t->grad_ctx) ggml_free(t->grad_ctx);
    if (t->w.buf) ggml_backend_buffer_free(t->w.buf);
    if (t->w.ctx) ggml_free(t->w.ctx);
    if (t->backend && t->backend != t->cpu) ggml_backend_free(t->backend);
    if (t->cpu) ggml_backend_free(t->cpu);
    delete t;
}

void cl_train_get_info(const cl_trainer * t, cl_train_info * info) {
    memset(info, 0, sizeof(*info));
    snprintf(info->arch, sizeof(info->arch), "%s", t->hp.arch_name.c_str());
    info->n_vocab     = t->hp.n_vocab;
    info->n_embd      = t->hp.n_embd;
    info->n_layer     = t->hp.n_layer;
    info->n_head      = t->hp.n_head;
    info->n_head_kv   = t->hp.n_head_kv;
    info->n_ff        = t->hp.n_ff;
    info->n_ctx_train = t->hp.n_ctx_train;
    info->n_params    = (int32_t) t->params.size();
    for (const param & p : t->params) {
        info->n_trainable += ggml_nelements(p.value);
    }
    snprintf(info->backend, sizeof(info->backend), "%s", ggml_backend_name(t->backend));
    snprintf(info->base_type, sizeof(info->base_type), "%s", ggml_type_name(t->w.layers[0].wq->type));
}

int64_t cl_train_memory(const cl_trainer * t) {
    int64_t n = 0;
    for (ggml_backend_buffer_t b : { t->w.buf, t->state_buf, t->grad_buf }) {
        n += b ? (int64_t) ggml_backend_buffer_get_size(b) : 0;
    }
    for (ggml_backend_buffer_t b : t->transposed_buf) {
        n += (int64_t) ggml_backend_buffer_get_size(b);
    }
    for (const step_graph * g : { &t->train_graph, &t->eval_graph }) {
        n += g->in_buf ? (int64_t) ggml_backend_buffer_get_size(g->in_buf) : 0;
        for (int i = 0; g->sched && i < ggml_backend_sched_get_n_backends(g->sched); ++i) {
            n += (int64_t) ggml_backend_sched_get_buffer_size(g->sched, ggml_backend_sched_get_backend(g->sched, i));
        }
    }
    return n;
}

void cl_train_counters(const cl_trainer * t, int64_t * uploaded, int64_t * uploads, int32_t * graph_builds) {
    *uploaded     = t->uploaded;
    *uploads      = t->uploads;
    *graph_builds = t->graph_builds;
}

int cl_train_accumulate(cl_trainer * t, const int32_t * tokens, const int32_t * seg, const int32_t * labels,
                        int32_t n, int32_t n_batch, float grad_scale, float * loss, char * err, size_t err_len) {
    return guarded(err, err_len, [&]() {
        std::string e;
        step_graph & g = t->train_graph;
        if (!prepare(t, g, tokens, seg, labels, n, n_batch, grad_scale, e)) {
            return fail(e, err, err_len);
        }
        if (!compute(g, e)) {
            return fail(e, err, err_len);
        }
        ggml_backend_tensor_get(g.loss, loss, 0, sizeof(float));
        return 0;
    });
}

int cl_train_eval(cl_trainer * t, const int32_t * tokens, const int32_t * seg, const int32_t * labels, int32_t n,
                  double * nll_sum, int32_t * n_scored, char * err, size_t err_len) {
    return guarded(err, err_len, [&]() {
        std::string e;
        step_graph & g = t->eval_graph;
        if (!prepare(t, g, tokens, seg, labels, n, 1, 0.0f, e)) {
            return fail(e, err, err_len);
        }
        if (!compute(g, e)) {
            return fail(e, err, err_len);
        }
        float mean = 0;
        ggml_backend_tensor_get(g.loss, &mean, 0, sizeof(float));
        *n_scored = g.n_scored;
        *nll_sum  = (double) mean * g.n_scored;
        return 0;
    });
}

int cl_train_update(cl_trainer * t, float lr, float beta1, float beta2, float eps, float weight_decay, int64_t step,
                    char * err, size_t err_len) {
    std::string e;
    if (step < 1) {
        return fail("optimizer step must start at 1", err, err_len);
    }
    if (t->p.optimizer == CL_OPT_ADAMW) {
        const float hp[7] = { lr,
                              beta1,
                              beta2,
                              eps,
                              weight_decay,
                              1.0f / (1.0f - powf(beta1, (float) step)),
                              1.0f / (1.0f - powf(beta2, (float) step)) };
        ggml_backend_tensor_set(t->opt_hp, hp, 0, sizeof(hp));
    } else {
        const float hp[2] = { lr, weight_decay };
        ggml_backend_tensor_set(t->opt_hp, hp, 0, sizeof(hp));
    }
    // Every tensor of the optimizer graph lives in the trainer's buffers, so
    // it runs on the backend directly.
    if (ggml_backend_graph_compute(t->backend, t->opt_graph) != GGML_STATUS_SUCCESS) {
        return fail("optimizer step failed", err, err_len);
    }
    ggml_backend_buffer_clear(t->grad_buf, 0);
    return 0;
}

} // extern "C"
