#include "infer.h"

#include "llama-context.h"
#include "llama-memory.h"

void cl_set_adapter(cl_ctx * c, llama_adapter_lora * adapter, float scale) {
    llama_clear_adapter_lora(c->lctx);
    if (adapter != nullptr) {
        llama_set_adapter_lora(c->lctx, adapter, scale);
    }
    // graph_reserve resets the previous graph result, so the next decode
    // cannot reuse a graph built with the old adapter set.
    llama_memory_t mem = c->lctx->get_memory();
    if (mem != nullptr) {
        auto mctx = mem->init_full();
        c->lctx->graph_reserve(1, 1, 1, mctx.get(), true);
    }
}
