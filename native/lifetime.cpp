// Freeing a llama_context in an order that is safe for every backend.
//
// In the engine copy codeloom builds on, llama_context declares its
// scheduler before its backends, so its destructor frees the backends first
// and then ggml_backend_sched_free calls each (already freed) backend's
// reset: a use-after-free that is silent on the CPU (whose reset is NULL)
// and a crash in every llama_free once the CUDA backend is loaded.
// cl_llama_free frees the scheduler first, while the backends it resets are
// still alive, and then the context as usual.
#include "infer.h"

#include "llama-context.h"

namespace {

// The scheduler is a private member. An explicit template instantiation may
// name a private member (access is not checked there), and a friend it
// defines hands the member pointer out: the one standard way to reach it
// without editing the engine's headers. The member's type is spelled out,
// so an engine upgrade that renames or retypes it stops this file compiling
// instead of freeing the wrong thing.
using sched_member = ggml_backend_sched_ptr llama_context::*;

sched_member sched_of();

template <sched_member M> struct sched_access {
    friend sched_member sched_of() { return M; }
};

template struct sched_access<&llama_context::sched>;

} // namespace

extern "C" void cl_llama_free(struct llama_context * ctx) {
    if (ctx == nullptr) {
        return;
    }
    (ctx->*sched_of()).reset();
    llama_free(ctx);
}
