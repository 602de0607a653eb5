#include "infer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

static bool cl_abort_cb(void * data) {
    auto * c = static_cast<cl_ctx *>(data);
    return __atomic_load_n(&c->cancel, __ATOMIC_RELAXED) != 0;
}

cl_ctx * cl_ctx_new(llama_model * model, llama_context_params params) {
    auto * c = new cl_ctx{};
    params.abort_callback = cl_abort_cb;
    params.abort_callback_data = c;
    c->lctx = llama_init_from_model(model, params);
    if (c->lctx == nullptr) {
        delete c;
        return nullptr;
    }
    // One batch for the context's life: room for a whole n_batch span, or
    // one token of every sequence. Making one per decode cost a handful of
    // allocations per generated token.
    const int32_t n_batch = (int32_t) llama_n_batch(c->lctx);
    const int32_t n_seq   = (int32_t) llama_n_seq_max(c->lctx);
    c->batch_cap          = n_batch > n_seq ? n_batch : n_seq;
    c->batch              = llama_batch_init(c->batch_cap, 0, 1);
    return c;
}

void cl_ctx_free(cl_ctx * c) {
    if (c == nullptr) {
        return;
    }
    llama_batch_free(c->batch);
    cl_llama_free(c->lctx);
    delete c;
}

void cl_reset(cl_ctx * c) {
    llama_memory_clear(llama_get_memory(c->lctx), true);
    __atomic_store_n(&c->cancel, 0, __ATOMIC_RELAXED);
}

static int32_t decode_status(int32_t rc) {
    switch (rc) {
        case 0: return CL_OK;
        case 1: return CL_NO_SLOT;
        case 2: return CL_ABORTED;
        default: return CL_ERROR;
    }
}

// decode_span decodes toks[0..n) at pos.., asking logits for all of them when
// all_logits, else for the last one only.
static int32_t decode_span(cl_ctx * c, const llama_token * toks, int32_t n, int32_t pos, int32_t seq,
                           bool all_logits) {
    llama_batch & batch = c->batch;
    batch.n_tokens = n;
    for (int32_t i = 0; i < n; i++) {
        batch.token[i] = toks[i];
        batch.pos[i] = pos + i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = seq;
        batch.logits[i] = all_logits || i == n - 1;
    }
    return decode_status(llama_decode(c->lctx, batch));
}

int32_t cl_decode(cl_ctx * c, const llama_token * toks, int32_t n, int32_t pos, int32_t seq) {
    const int32_t n_batch = (int32_t) llama_n_batch(c->lctx);
    int32_t rc = CL_OK;
    for (int32_t i = 0; i < n && rc == CL_OK; i += n_batch) {
        const int32_t m = n - i < n_batch ? n - i : n_batch;
        if (__atomic_load_n(&c->cancel, __ATOMIC_RELAXED)) {
            rc = CL_ABORTED;
            break;
        }
        rc = decode_span(c, toks + i, m, pos + i, seq, false);
    }
    return rc;
}

int32_t cl_decode_step(cl_ctx * c, const llama_token * toks, const int32_t * pos, const int32_t * seq, int32_t n) {
    if (__atomic_load_n(&c->cancel, __ATOMIC_RELAXED)) {
        return CL_ABORTED;
    }
    if (n > c->batch_cap) {
        return CL_ERROR;
    }
    llama_batch & batch = c->batch;
    batch.n_tokens = n;
    for (int32_t i = 0; i < n; i++) {
        batch.token[i] = toks[i];
        batch.pos[i] = pos[i];
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = seq[i];
        batch.logits[i] = true;
    }
    return decode_status(llama_decode(c->lctx, batch));
}

llama_token cl_sample(cl_ctx * c, llama_sampler * smpl, int32_t idx, char * piece, int32_t cap, int32_t * piece_len,
                      int32_t * eog) {
    llama_token tok;
    try {
        tok = llama_sampler_sample(smpl, c->lctx, idx);
    } catch (const std::exception & e) {
        // The grammar sampler throws when no token of the vocabulary can
        // continue the grammar (and on a malformed grammar state); an
        // exception must not unwind into Go, which would abort the process.
        // The message goes back in the piece buffer.
        *piece_len = (int32_t) snprintf(piece, (size_t) cap, "%s", e.what());
        *piece_len = *piece_len < cap ? *piece_len : cap - 1;
        *eog       = CL_SAMPLE_FAILED;
        return -1;
    }
    const llama_vocab * vocab = llama_model_get_vocab(llama_get_model(c->lctx));
    *eog = llama_vocab_is_eog(vocab, tok) ? 1 : 0;
    // special=false: control tokens such as </s> render as nothing.
    *piece_len = cl_piece(c, tok, piece, cap);
    return tok;
}

int32_t cl_piece(cl_ctx * c, llama_token tok, char * piece, int32_t cap) {
    const llama_vocab * vocab = llama_model_get_vocab(llama_get_model(c->lctx));
    return llama_token_to_piece(vocab, tok, piece, cap, 0, false);
}

// log_softmax_at returns log p(tok) from one row of logits, in double.
static double log_softmax_at(const float * logits, int32_t n_vocab, llama_token tok) {
    float mx = logits[0];
    for (int32_t j = 1; j < n_vocab; j++) {
        mx = logits[j] > mx ? logits[j] : mx;
    }
    double sum = 0.0;
    for (int32_t j = 0; j < n_vocab; j++) {
        sum += std::exp((double) logits[j] - mx);
    }
    return (double) logits[tok] - mx - std::log(sum);
}

int32_t cl_score(cl_ctx * c, const llama_token * toks, int32_t n, int32_t from, double * out) {
    if (from < 1 || from > n || n > (int32_t) llama_n_ctx(c->lctx)) {
        return CL_ERROR;
    }
    cl_reset(c);
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->lctx)));
    const int32_t n_batch = (int32_t) llama_n_batch(c->lctx);
    int32_t rc = CL_OK;
    for (int32_t i = 0; i < n - 1 && rc == CL_OK; i += n_batch) {
        // Positions i..i+m-1 predict tokens i+1..i+m.
        const int32_t m = (n - 1) - i < n_batch ? (n - 1) - i : n_batch;
        rc = decode_span(c, toks + i, m, i, 0, true);
        if (rc != CL_OK) {
            break;
        }
        for (int32_t k = 0; k < m; k++) {
            const int32_t target = i + k + 1;
            if (target < from) {
                continue;
            }
            const float * logits = llama_get_logits_ith(c->lctx, k);
            out[target - from] = log_softmax_at(logits, n_vocab, toks[target]);
        }
    }
    return rc;
}

int32_t cl_logits(cl_ctx * c, float * out, int32_t n_vocab) {
    const float * logits = llama_get_logits_ith(c->lctx, -1);
    if (logits == nullptr) {
        return CL_ERROR;
    }
    for (int32_t j = 0; j < n_vocab; j++) {
        out[j] = logits[j];
    }
    return CL_OK;
}

static int32_t g_min_level = GGML_LOG_LEVEL_WARN;
static int32_t g_last_level = GGML_LOG_LEVEL_INFO;
// The last error message, shared by all threads: a failing call and the
// Go code that asks for its message may run on different OS threads.
static std::mutex g_err_mu;
static std::string g_last_error;

static void cl_log_cb(ggml_log_level level, const char * text, void *) {
    // CONT continues the previous message at its level.
    if (level != GGML_LOG_LEVEL_CONT) {
        g_last_level = level;
        if (level == GGML_LOG_LEVEL_ERROR) {
            std::lock_guard<std::mutex> lock(g_err_mu);
            g_last_error.clear();
        }
    }
    if (g_last_level == GGML_LOG_LEVEL_ERROR) {
        std::lock_guard<std::mutex> lock(g_err_mu);
        if (g_last_error.size() < 1024) {
            g_last_error += text;
        }
    }
    if (g_last_level >= g_min_level) {
        fputs(text, stderr);
    }
}

int32_t cl_last_error(char * buf, int32_t cap) {
    std::lock_guard<std::mutex> lock(g_err_mu);
    const int32_t n = (int32_t) g_last_error.size() < cap - 1 ? (int32_t) g_last_error.size() : cap - 1;
    g_last_error.copy(buf, n);
    buf[n] = 0;
    g_last_error.clear();
    return n;
}

void cl_log_level(int32_t min_level) {
    g_min_level = min_level;
    llama_log_set(cl_log_cb, nullptr);
    ggml_log_set(cl_log_cb, nullptr);
}

int32_t cl_bare_loop(llama_model * model, int32_t n_ctx, int32_t n_threads, const llama_token * prompt,
                     int32_t n_prompt, int32_t n_gen, double * t_prompt, double * t_gen) {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx;
    cp.n_batch = n_prompt > 512 ? n_prompt : 512;
    cp.n_threads = n_threads;
    cp.n_threads_batch = n_threads;
    cp.no_perf = true;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (ctx == nullptr) {
        return -1;
    }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    llama_sampler * smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(smpl, llama_sampler_init_greedy());

    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    std::vector<llama_token> p(prompt, prompt + n_prompt);
    llama_batch batch = llama_batch_get_one(p.data(), n_prompt);
    int32_t produced = 0;
    if (llama_decode(ctx, batch) == 0) {
        auto t1 = clock::now();
        *t_prompt = std::chrono::duration<double>(t1 - t0).count();
        llama_token tok;
        for (; produced < n_gen; produced++) {
            tok = llama_sampler_sample(smpl, ctx, -1);
            if (llama_vocab_is_eog(vocab, tok)) {
                break;
            }
            batch = llama_batch_get_one(&tok, 1);
            if (llama_decode(ctx, batch) != 0) {
                break;
            }
        }
        *t_gen = std::chrono::duration<double>(clock::now() - t1).count();
    }
    llama_sampler_free(smpl);
    cl_llama_free(ctx);
    return produced;
}
