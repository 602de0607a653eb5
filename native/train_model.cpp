// Loading a llama-family base model for training: hyper-parameters from the
// GGUF metadata and weights into a backend buffer. Frozen matrices keep
// their type (quantized, F16, BF16): the forward and the fast backward only
// multiply by them, and on a GPU F16/BF16 products run on tensor cores in
// half the memory. ggml's own backward (SlowBackward) takes frozen F16/BF16
// weights into OUT_PROD, which the CPU cannot run, so they become F32 there;
// with full training every tensor becomes F32.
#include "train_internal.h"

#include "gguf.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace cltrain {

void set_err(char * err, size_t err_len, const char * fmt, ...) {
    if (!err || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

namespace {

struct gguf_deleter {
    void operator()(gguf_context * g) const { gguf_free(g); }
};
struct file_closer {
    void operator()(FILE * f) const { fclose(f); }
};

// get_int reads an integer key of any integer type; def when absent.
int64_t get_int(const gguf_context * g, const std::string & key, int64_t def) {
    const int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) {
        return def;
    }
    switch (gguf_get_kv_type(g, id)) {
        case GGUF_TYPE_UINT8: return gguf_get_val_u8(g, id);
        case GGUF_TYPE_INT8: return gguf_get_val_i8(g, id);
        case GGUF_TYPE_UINT16: return gguf_get_val_u16(g, id);
        case GGUF_TYPE_INT16: return gguf_get_val_i16(g, id);
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(g, id);
        case GGUF_TYPE_INT32: return gguf_get_val_i32(g, id);
        case GGUF_TYPE_UINT64: return (int64_t) gguf_get_val_u64(g, id);
        case GGUF_TYPE_INT64: return gguf_get_val_i64(g, id);
        case GGUF_TYPE_ARRAY: // per-layer arrays (e.g. head counts): take the first entry
            if (gguf_get_arr_n(g, id) > 0 && gguf_get_arr_type(g, id) == GGUF_TYPE_INT32) {
                return ((const int32_t *) gguf_get_arr_data(g, id))[0];
            }
            if (gguf_get_arr_n(g, id) > 0 && gguf_get_arr_type(g, id) == GGUF_TYPE_UINT32) {
                return ((const uint32_t *) gguf_get_arr_data(g, id))[0];
            }
            return def;
        default: return def;
    }
}

float get_float(const gguf_context * g, const std::string & key, float def) {
    const int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0) {
        return def;
    }
    if (gguf_get_kv_type(g, id) == GGUF_TYPE_FLOAT32) {
        return gguf_get_val_f32(g, id);
    }
    if (gguf_get_kv_type(g, id) == GGUF_TYPE_FLOAT64) {
        return (float) gguf_get_val_f64(g, id);
    }
    return def;
}

std::string get_str(const gguf_context * g, const std::string & key) {
    const int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0 || gguf_get_kv_type(g, id) != GGUF_TYPE_STRING) {
        return "";
    }
    return gguf_get_val_str(g, id);
}

// read_rope_scaling follows llama.cpp's reading of the RoPE scaling keys
// (type "linear" when absent, the factor from rope.scaling.factor or the
// older rope.scale_linear) and its YaRN parameters for these architectures.
bool read_rope_scaling(const gguf_context * g, const std::string & a, hparams & hp, std::string & err) {
    std::string scaling = get_str(g, a + "rope.scaling.type");
    if (scaling.empty()) {
        scaling = "linear";
    }
    float factor = get_float(g, a + "rope.scaling.factor", 0.0f);
    if (factor == 0.0f) {
        factor = get_float(g, a + "rope.scale_linear", 0.0f);
    }
    hp.rope_scale = factor == 0.0f ? 1.0f : 1.0f / factor;
    hp.rope_orig  = (int32_t) get_int(g, a + "rope.scaling.original_context_length", hp.n_ctx_train);
    if (scaling == "none") {
        hp.rope_scale = 1.0f;
    } else if (scaling == "yarn") {
        // YaRN's magnitude scale, cancelled again for the CPU kernel's own
        // scaling, as llama.cpp computes it
        const float f      = 1.0f / hp.rope_scale;
        const float mscale = f <= 1.0f ? 1.0f : 0.1f * logf(f) + 1.0f;
        hp.rope_ext        = 1.0f;
        hp.rope_attn       = mscale * (1.0f / (1.0f + 0.1f * logf(f)));
    } else if (scaling != "linear") {
        err = "RoPE scaling \"" + scaling + "\" is not supported for training (none, linear and yarn are)";
        return false;
    }
    hp.rope_attn *= get_float(g, a + "rope.scaling.attn_factor", 1.0f);
    return true;
}

bool read_hparams(const gguf_context * g, const ggml_context * meta, hparams & hp, std::string & err) {
    hp.arch_name = get_str(g, "general.architecture");
    if (hp.arch_name == "llama") {
        hp.kind = arch::llama;
    } else if (hp.arch_name == "qwen2") {
        hp.kind = arch::qwen2;
    } else if (hp.arch_name == "qwen3") {
        hp.kind = arch::qwen3;
    } else {
        err = "architecture \"" + hp.arch_name +
              "\" cannot be trained: supported are llama, qwen2 and qwen3 (others use operations without a backward "
              "pass in the engine)";
        return false;
    }
    const std::string a = hp.arch_name + ".";
    hp.n_embd      = (int32_t) get_int(g, a + "embedding_length", 0);
    hp.n_layer     = (int32_t) get_int(g, a + "block_count", 0);
    hp.n_head      = (int32_t) get_int(g, a + "attention.head_count", 0);
    hp.n_head_kv   = (int32_t) get_int(g, a + "attention.head_count_kv", hp.n_head);
    hp.n_ff        = (int32_t) get_int(g, a + "feed_forward_length", 0);
    hp.n_ctx_train = (int32_t) get_int(g, a + "context_length", 0);
    if (hp.n_embd <= 0 || hp.n_layer <= 0 || hp.n_head <= 0 || hp.n_head_kv <= 0) {
        err = "model metadata lacks embedding_length, block_count or attention.head_count";
        return false;
    }
    hp.head_dim_k = (int32_t) get_int(g, a + "attention.key_length", hp.n_embd / hp.n_head);
    hp.head_dim_v = (int32_t) get_int(g, a + "attention.value_length", hp.n_embd / hp.n_head);
    hp.n_rot      = (int32_t) get_int(g, a + "rope.dimension_count", hp.head_dim_k);
    hp.rms_eps    = get_float(g, a + "attention.layer_norm_rms_epsilon", 1e-5f);
    hp.rope_base  = get_float(g, a + "rope.freq_base", 10000.0f);
    if (!read_rope_scaling(g, a, hp, err)) {
        return false;
    }
    const ggml_tensor * emb = ggml_get_tensor(const_cast<ggml_context *>(meta), "token_embd.weight");
    if (!emb) {
        err = "model has no token_embd.weight";
        return false;
    }
    hp.n_vocab = (int32_t) emb->ne[1];
    if (hp.n_vocab > (1 << 24)) { // labels cross to the device as F32, exact to 2^24
        err = "a vocabulary of " + std::to_string(hp.n_vocab) + " tokens is larger than training supports (16,777,216)";
        return false;
    }
    return true;
}

// stored_type is the type a tensor gets in training memory.
ggml_type stored_type(const ggml_tensor * src, bool full, bool fast_backward) {
    const bool half = src->type == GGML_TYPE_F16 || src->type == GGML_TYPE_BF16;
    if (full || ggml_n_dims(src) < 2 || (half && !fast_backward)) {
        return GGML_TYPE_F32;
    }
    return src->type;
}

bool is_convertible(ggml_type from, ggml_type to) {
    if (from == to) {
        return true;
    }
    return to == GGML_TYPE_F32 && ggml_get_type_traits(from)->to_float != nullptr;
}

} // namespace

bool load_model(cl_trainer * t, std::string & err) {
    ggml_context *   meta = nullptr;
    gguf_init_params gp   = { /*no_alloc =*/true, /*ctx =*/&meta };
    std::unique_ptr<gguf_context, gguf_deleter> g(gguf_init_from_file(t->model_path.c_str(), gp));
    if (!g) {
        err = "cannot read GGUF model " + t->model_path;
        return false;
    }
    std::unique_ptr<ggml_context, decltype(&ggml_free)> meta_owner(meta, ggml_free);
    if (!read_hparams(g.get(), meta, t->hp, err)) {
        return false;
    }

    const int64_t n_tensors = gguf_get_n_tensors(g.get());
    ggml_init_params ip = { (size_t) (n_tensors + 1) * ggml_tensor_overhead(), nullptr, true };
    t->w.ctx            = ggml_init(ip);
    for (int64_t i = 0; i < n_tensors; ++i) {
        const char *        name = gguf_get_tensor_name(g.get(), i);
        const ggml_tensor * src  = ggml_get_tensor(meta, name);
        const ggml_type     to   = stored_type(src, t->p.full, t->p.fast_backward);
        if (t->p.full && ggml_is_quantized(src->type)) {
            err = std::string("full training needs an F32, F16 or BF16 base, not a quantized one (") + name + " is " +
                  ggml_type_name(src->type) + ")";
            return false;
        }
        if (!is_convertible(src->type, to)) {
            err = std::string("tensor ") + name + " has type " + ggml_type_name(src->type) +
                  ", which the training engine cannot read";
            return false;
        }
        ggml_tensor * dst = ggml_new_tensor(t->w.ctx, to, GGML_MAX_DIMS, src->ne);
        ggml_set_name(dst, name);
        t->w.by_name[name] = dst;
    }
    t->w.buf = ggml_backend_alloc_ctx_tensors(t->w.ctx, t->backend);
    if (!t->w.buf) {
        err = "out of memory allocating the model weights on " + std::string(ggml_backend_name(t->backend));
        return false;
    }
    ggml_backend_buffer_set_usage(t->w.buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);

    std::unique_ptr<FILE, file_closer> f(fopen(t->model_path.c_str(), "rb"));
    if (!f) {
        err = "cannot open " + t->model_path;
        return false;
    }
    std::vector<uint8_t> raw;
    std::vector<float>   conv;
    for (int64_t i = 0; i < n_tensors; ++i) {
        const char *        name = gguf_get_tensor_name(g.get(), i);
        const ggml_tensor * src  = ggml_get_tensor(meta, name);
        ggml_tensor *       dst  = t->w.by_name[name];
        raw.resize(ggml_nbytes(src));
        const size_t off = gguf_get_data_offset(g.get()) + gguf_get_tensor_offset(g.get(), i);
        if (fseeko(f.get(), (off_t) off, SEEK_SET) != 0 || fread(raw.data(), 1, raw.size(), f.get()) != raw.size()) {
            err = std::string("short read of tensor ") + name + " in " + t->model_path;
            return false;
        }
        if (src->type == dst->type) {
            ggml_backend_tensor_set(dst, raw.data(), 0, raw.size());
            continue;
        }
        conv.resize(ggml_nelements(src));
        ggml_get_type_traits(src->type)->to_float(raw.data(), conv.data(), (int64_t) conv.size());
        ggml_backend_tensor_set(dst, conv.data(), 0, conv.size() * sizeof(float));
    }

    auto get = [&](const std::string & name, bool required) -> ggml_tensor * {
        auto it = t->w.by_name.find(name);
        if (it == t->w.by_name.end()) {
            if (required) {
                err = "model lacks tensor " + name;
            }
            return nullptr;
        }
        return it->second;
    };
    t->w.tok_embd    = get("token_embd.weight", true);
    t->w.output_norm = get("output_norm.weight", true);
    t->w.output      = get("output.weight", false);
    t->w.rope_freqs  = get("rope_freqs.weight", false);
    if (!t->w.output) {
        t->w.output = t->w.tok_embd; // tied embeddings
    }
    t->w.layers.resize(t->hp.n_layer);
    for (int il = 0; il < t->hp.n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        layer &           l = t->w.layers[il];
        l.attn_norm         = get(b + "attn_norm.weight", true);
        l.wq                = get(b + "attn_q.weight", true);
        l.wk                = get(b + "attn_k.weight", true);
        l.wv                = get(b + "attn_v.weight", true);
        l.wo                = get(b + "attn_output.weight", true);
        l.bq                = get(b + "attn_q.bias", false);
        l.bk                = get(b + "attn_k.bias", false);
        l.bv                = get(b + "attn_v.bias", false);
        l.q_norm            = get(b + "attn_q_norm.weight", t->hp.kind == arch::qwen3);
        l.k_norm            = get(b + "attn_k_norm.weight", t->hp.kind == arch::qwen3);
        l.ffn_norm          = get(b + "ffn_norm.weight", true);
        l.ffn_gate          = get(b + "ffn_gate.weight", true);
        l.ffn_up            = get(b + "ffn_up.weight", true);
        l.ffn_down          = get(b + "ffn_down.weight", true);
        if (!err.empty()) {
            return false;
        }
    }
    return err.empty();
}

} // namespace cltrain
