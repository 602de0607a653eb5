// codeloom inference helpers over llama.cpp: one C call per step of the
// decode loop so that Go drives the loop without per-element cgo traffic.
#pragma once
#include <stdint.h>
#include "llama.h"

#ifdef __cplusplus
extern "C" {
#endif

// cl_ctx owns a llama_context, the batch its decodes fill, and the flag
// that aborts a running decode.
typedef struct cl_ctx {
    struct llama_context * lctx;
    // Set to non-zero (from any thread) to abort the decode in progress;
    // reset by the caller before the next request.
    volatile int32_t cancel;
    struct llama_batch batch; // max(n_batch, n_seq_max) tokens, one sequence id each
    int32_t batch_cap;
} cl_ctx;

// Status codes of cl_decode and cl_score.
enum {
    CL_OK        = 0,
    CL_NO_SLOT   = 1,  // the context is full
    CL_ABORTED   = 2,  // cancel was set
    CL_ERROR     = -1, // llama_decode failed
};

// *eog of cl_sample when sampling failed.
#define CL_SAMPLE_FAILED (-1)

cl_ctx * cl_ctx_new(struct llama_model * model, struct llama_context_params params);
// cl_ctx_free frees the context through cl_llama_free.
void     cl_ctx_free(cl_ctx * c);

// cl_llama_free is llama_free with the scheduler freed before the backends
// it resets (see lifetime.cpp): every llama_context codeloom creates is
// freed through it.
void cl_llama_free(struct llama_context * ctx);

// cl_reset forgets every position of sequence 0 and clears the cancel flag.
void cl_reset(cl_ctx * c);

// cl_decode feeds toks[0..n) at positions pos.. of sequence seq in batches
// of n_batch; logits are kept for the last token only.
int32_t cl_decode(cl_ctx * c, const llama_token * toks, int32_t n, int32_t pos, int32_t seq);

// cl_decode_step decodes one token for each of n sequences in one batch:
// toks[i] at position pos[i] of sequence seq[i], with logits for every row
// (row i is sampled with idx i).
int32_t cl_decode_step(cl_ctx * c, const llama_token * toks, const int32_t * pos, const int32_t * seq, int32_t n);

// cl_sample samples from output row idx of the last decode (-1: the last
// row), accepts the token into the
// sampler's state, and writes its text piece (not NUL-terminated) to piece;
// *piece_len is the piece's length, or minus the needed size if cap is too
// small. *eog tells whether the token ends generation, or is
// CL_SAMPLE_FAILED when the sampler failed (a grammar no token can
// continue): then -1 is returned and piece holds the reason.
llama_token cl_sample(cl_ctx * c, struct llama_sampler * smpl, int32_t idx, char * piece, int32_t cap,
                      int32_t * piece_len, int32_t * eog);

// cl_piece writes the text piece of tok like cl_sample does.
int32_t cl_piece(cl_ctx * c, llama_token tok, char * piece, int32_t cap);

// cl_score decodes toks[0..n) from position 0 (after a reset) and writes
// log p(toks[i] | toks[0..i)) to out[i - from] for i in [from, n). Needs
// n <= the context size and from >= 1.
int32_t cl_score(cl_ctx * c, const llama_token * toks, int32_t n, int32_t from, double * out);

// cl_logits copies the last decoded logits into out (n_vocab floats).
int32_t cl_logits(cl_ctx * c, float * out, int32_t n_vocab);

// cl_log_level routes llama.cpp's and ggml's logs through a level filter:
// below min_level nothing is printed.
void cl_log_level(int32_t min_level);

// cl_last_error copies (and forgets) the last error message the engine
// logged, whatever the log level shown. Returns its length.
int32_t cl_last_error(char * buf, int32_t cap);

// cl_bare_loop is the barest decode loop over the same engine, the reference
// that codeloom's own loop is benchmarked against: decode the prompt as one
// batch, then greedy sample and decode one token at a time. It returns the
// number of tokens generated and writes the prompt and generation times in
// seconds.
int32_t cl_bare_loop(struct llama_model * model, int32_t n_ctx, int32_t n_threads, const llama_token * prompt,
                     int32_t n_prompt, int32_t n_gen, double * t_prompt, double * t_gen);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif

// cl_set_adapter makes adapter (NULL: none) the only LoRA adapter of the
// context, at scale, and makes sure the next decode builds a fresh graph:
// the engine's graph reuse compares only the adapter map's address, so
// without this a switched adapter could be ignored.
void cl_set_adapter(cl_ctx * c, struct llama_adapter_lora * adapter, float scale);

#ifdef __cplusplus
}
#endif
