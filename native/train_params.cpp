// Access to the trainable tensors and their optimizer moments, for
// checkpoints and export (the parameter part of train.h).
#include "train_internal.h"

using namespace cltrain;

namespace {

ggml_tensor * param_part(const cl_trainer * t, int32_t i, int32_t which) {
    if (i < 0 || i >= (int32_t) t->params.size()) {
        return nullptr;
    }
    const param & p = t->params[i];
    switch (which) {
        case CL_PARAM_VALUE: return p.value;
        case CL_PARAM_M: return p.m;
        case CL_PARAM_V: return p.v;
        default: return nullptr;
    }
}

} // namespace

extern "C" {

int32_t cl_train_n_params(const cl_trainer * t) {
    return (int32_t) t->params.size();
}

const char * cl_train_param_name(const cl_trainer * t, int32_t i) {
    return t->params.at(i).value->name;
}

void cl_train_param_shape(const cl_trainer * t, int32_t i, int64_t * ne0, int64_t * ne1) {
    const ggml_tensor * v = t->params.at(i).value;
    *ne0                  = v->ne[0];
    *ne1                  = ggml_nelements(v) / v->ne[0];
}

int cl_train_param_get(const cl_trainer * t, int32_t i, int32_t which, float * dst, int64_t n) {
    ggml_tensor * x = param_part(t, i, which);
    if (!x || ggml_nelements(x) != n) {
        return 1;
    }
    ggml_backend_tensor_get(x, dst, 0, n * sizeof(float));
    return 0;
}

int cl_train_param_set(cl_trainer * t, int32_t i, int32_t which, const float * src, int64_t n) {
    ggml_tensor * x = param_part(t, i, which);
    if (!x || ggml_nelements(x) != n) {
        return 1;
    }
    ggml_backend_tensor_set(x, src, 0, n * sizeof(float));
    return 0;
}

} // extern "C"
