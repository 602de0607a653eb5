package bindings

/*
#include <stdlib.h>
#include "llama.h"
*/
import "C"

import "unsafe"

// Adapter is a LoRA adapter in llama.cpp's GGUF format, loaded for one model.
// Contexts of that model switch to it with SetAdapter without reloading the
// model.
type Adapter struct {
	c *C.struct_llama_adapter_lora
}

// LoadAdapter loads a LoRA adapter file made for m's architecture and shapes.
func LoadAdapter(m *Model, path string) (*Adapter, error) {
	if err := checkGGUF("adapter", path); err != nil {
		return nil, err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	ca := C.llama_adapter_lora_init(m.c, cpath)
	if ca == nil {
		return nil, engineFailure("load adapter %s: the engine rejected it (wrong base architecture, tensor names or shapes)", path)
	}
	return &Adapter{c: ca}, nil
}

// Meta returns an adapter metadata value as a string, "" when absent.
func (a *Adapter) Meta(key string) string {
	ckey := C.CString(key)
	defer C.free(unsafe.Pointer(ckey))
	buf := make([]byte, 256)
	n := C.llama_adapter_meta_val_str(a.c, ckey, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	if n < 0 {
		return ""
	}
	return string(buf[:min(int(n), len(buf)-1)])
}

// Close frees the adapter. Contexts using it must have switched away first.
func (a *Adapter) Close() {
	if a != nil && a.c != nil {
		C.llama_adapter_lora_free(a.c)
		a.c = nil
	}
}
