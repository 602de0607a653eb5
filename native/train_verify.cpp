// Reference loss through llama.cpp's own inference path: the independent
// check that the training forward (and a saved adapter) compute the same
// function as the engine that serves the model.
#include "train_internal.h"

#include "infer.h"
#include "llama.h"

#include <cmath>
#include <memory>

extern "C" int cl_reference_loss(const char * model_path, const char * adapter_path, const int32_t * tokens,
                                 int32_t n, int32_t threads, double * loss, char * err, size_t err_len) {
    using cltrain::set_err;
    if (n < 2) {
        set_err(err, err_len, "need at least two tokens");
        return 1;
    }
    llama_model_params mp = llama_model_default_params();
    mp.use_mmap           = false;
    mp.n_gpu_layers       = 0;
    std::unique_ptr<llama_model, decltype(&llama_model_free)> model(llama_model_load_from_file(model_path, mp),
                                                                    llama_model_free);
    if (!model) {
        set_err(err, err_len, "llama.cpp cannot load %s", model_path);
        return 1;
    }
    std::unique_ptr<llama_adapter_lora, decltype(&llama_adapter_lora_free)> adapter(nullptr, llama_adapter_lora_free);
    if (adapter_path && *adapter_path) {
        adapter.reset(llama_adapter_lora_init(model.get(), adapter_path));
        if (!adapter) {
            set_err(err, err_len, "llama.cpp cannot load adapter %s", adapter_path);
            return 1;
        }
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = cp.n_batch = cp.n_ubatch = (uint32_t) n;
    cp.type_k = cp.type_v = GGML_TYPE_F32; // the training forward keeps K and V in F32
    cp.flash_attn_type    = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.n_threads = cp.n_threads_batch = threads;
    std::unique_ptr<llama_context, decltype(&cl_llama_free)> ctx(llama_init_from_model(model.get(), cp), cl_llama_free);
    if (!ctx) {
        set_err(err, err_len, "llama.cpp cannot create a context of %d tokens", n);
        return 1;
    }
    if (adapter) {
        llama_set_adapter_lora(ctx.get(), adapter.get(), 1.0f);
    }
    llama_batch batch = llama_batch_init(n, 0, 1);
    for (int32_t i = 0; i < n; ++i) {
        batch.token[i]     = tokens[i];
        batch.pos[i]       = i;
        batch.n_seq_id[i]  = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i]    = 1;
    }
    batch.n_tokens = n;
    const int rc   = llama_decode(ctx.get(), batch);
    llama_batch_free(batch);
    if (rc != 0) {
        set_err(err, err_len, "llama_decode failed with %d", rc);
        return 1;
    }
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model.get()));
    double        sum     = 0;
    for (int32_t i = 0; i + 1 < n; ++i) {
        const float * lg = llama_get_logits_ith(ctx.get(), i);
        double        mx = lg[0];
        for (int32_t v = 1; v < n_vocab; ++v) {
            mx = std::max(mx, (double) lg[v]);
        }
        double se = 0;
        for (int32_t v = 0; v < n_vocab; ++v) {
            se += exp(lg[v] - mx);
        }
        sum += mx + log(se) - lg[tokens[i + 1]];
    }
    *loss = sum / (n - 1);
    return 0;
}
