package bindings

/*
#include <stdlib.h>
#include "llama.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// ModelParams are the load-time settings of a model. The zero value loads on
// the CPU with mmap.
type ModelParams struct {
	GPULayers   int       // layers offloaded to the GPU; -1 = all, AutoGPULayers = all that fit
	MainGPU     int       // GPU used for the whole model when not split
	TensorSplit []float32 // share of the model per GPU; nil = by free memory
	NoMmap      bool      // read the file into memory instead of mapping it
	// NoRepack keeps weights in plain buffers (no CPU repacking); training
	// needs this because repacked buffers only support matrix products.
	NoRepack bool
	// VocabOnly loads the metadata and vocabulary, no weights: for
	// tokenizing and chat templates (training data) at a fraction of a
	// load's time and memory. Such a model makes no contexts.
	VocabOnly bool
}

// Model is a loaded GGUF model: weights and vocabulary. Safe for concurrent
// use by several Contexts.
type Model struct {
	c         *C.struct_llama_model
	vocab     *C.struct_llama_vocab
	vocabOnly bool
}

// LoadModel loads a GGUF model file.
func LoadModel(path string, p ModelParams) (*Model, error) {
	header, err := readGGUF("model", path)
	if err != nil {
		return nil, err
	}
	Init()
	mp := C.llama_model_default_params()
	layers := resolveGPULayers(header.Tensors, p.GPULayers)
	mp.n_gpu_layers = C.int32_t(layers)
	if layers < 0 {
		mp.n_gpu_layers = 999
	}
	mp.main_gpu = C.int32_t(p.MainGPU)
	mp.use_mmap = C.bool(!p.NoMmap)
	mp.use_extra_bufts = C.bool(!p.NoRepack)
	mp.vocab_only = C.bool(p.VocabOnly)
	var pin runtime.Pinner
	defer pin.Unpin()
	if len(p.TensorSplit) > 0 {
		max := int(C.llama_max_devices())
		if len(p.TensorSplit) > max {
			return nil, fmt.Errorf("load model %s: tensor split has %d entries, the engine supports %d devices", path, len(p.TensorSplit), max)
		}
		split := make([]float32, max)
		copy(split, p.TensorSplit)
		pin.Pin(&split[0])
		mp.tensor_split = (*C.float)(unsafe.Pointer(&split[0]))
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cm := C.llama_model_load_from_file(cpath, mp)
	if cm == nil {
		return nil, engineFailure("load model %s: the engine could not load it", path)
	}
	return &Model{c: cm, vocab: C.llama_model_get_vocab(cm), vocabOnly: p.VocabOnly}, nil
}

// checkGGUF reads and validates the whole header of a model or adapter
// file in Go before the engine sees it. The engine trusts the file: it
// aborts the process on some bad values (block_count 0, a duplicated
// token) and allocates whatever a length field says on others, so every
// size, count and hyperparameter it relies on is checked here first (see
// gguf.Read and File.Validate). Only the header is read, never tensor data.
func checkGGUF(kind, path string) error {
	_, err := readGGUF(kind, path)
	return err
}

// readGGUF is checkGGUF that also returns the header it read, for callers
// that need its metadata or tensor infos (LoadModel sizes the GPU offload
// from them) without reading the file a second time.
func readGGUF(kind, path string) (*gguf.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", kind, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", kind, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("load %s %s: is a directory", kind, path)
	}
	f, err := gguf.Read(fh, st.Size())
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", kind, path, err)
	}
	return f, nil
}

// IsBadFile reports whether err says the model or adapter file itself is at
// fault (not a GGUF file, malformed, invalid, or it crashed the engine in a
// load probe), so that retrying the same file cannot help.
func IsBadFile(err error) bool {
	return errors.Is(err, gguf.ErrNotGGUF) || errors.Is(err, gguf.ErrMalformed) ||
		errors.Is(err, gguf.ErrInvalid) || errors.Is(err, ErrLoadCrashed)
}

// Close frees the model. Contexts and adapters made from it must be closed
// first.
func (m *Model) Close() {
	if m != nil && m.c != nil {
		C.llama_model_free(m.c)
		m.c = nil
	}
}

// Info reports the model's shape and metadata.
func (m *Model) Info() llm.ModelInfo {
	arch := m.Meta("general.architecture")
	info := llm.ModelInfo{
		Name:            m.Meta("general.name"),
		Architecture:    arch,
		Params:          int64(C.llama_model_n_params(m.c)),
		SizeBytes:       int64(C.llama_model_size(m.c)),
		ContextLength:   int(C.llama_model_n_ctx_train(m.c)),
		EmbeddingLength: int(C.llama_model_n_embd(m.c)),
		Layers:          int(C.llama_model_n_layer(m.c)),
		Heads:           int(C.llama_model_n_head(m.c)),
		HeadsKV:         int(C.llama_model_n_head_kv(m.c)),
		VocabSize:       int(C.llama_vocab_n_tokens(m.vocab)),
	}
	buf := make([]byte, 256)
	n := C.llama_model_desc(m.c, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	if n > 0 {
		info.Description = string(buf[:min(int(n), len(buf)-1)])
	}
	info.FileType = fileTypeName(m.Meta("general.file_type"), info.Description)
	if t := C.llama_model_chat_template(m.c, nil); t != nil {
		info.ChatTemplate = C.GoString(t)
	}
	return info
}

// Meta returns a metadata value of the model as a string, "" when absent.
func (m *Model) Meta(key string) string {
	ckey := C.CString(key)
	defer C.free(unsafe.Pointer(ckey))
	buf := make([]byte, 512)
	n := C.llama_model_meta_val_str(m.c, ckey, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	if n < 0 {
		return ""
	}
	if int(n) >= len(buf) {
		buf = make([]byte, int(n)+1)
		n = C.llama_model_meta_val_str(m.c, ckey, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	}
	return string(buf[:n])
}

// fileTypeNames maps llama_ftype numbers (general.file_type) to names.
var fileTypeNames = map[string]string{
	"0": "F32", "1": "F16", "2": "Q4_0", "3": "Q4_1", "7": "Q8_0", "8": "Q5_0", "9": "Q5_1",
	"10": "Q2_K", "11": "Q3_K_S", "12": "Q3_K_M", "13": "Q3_K_L", "14": "Q4_K_S", "15": "Q4_K_M",
	"16": "Q5_K_S", "17": "Q5_K_M", "18": "Q6_K", "32": "BF16",
}

// fileTypeName names general.file_type; files without that key get the
// engine's guess, the words after the size in its description ("llama ?B all
// F32" gives "F32").
func fileTypeName(v, desc string) string {
	if v == "" {
		f := strings.Fields(desc)
		if len(f) >= 3 {
			return strings.TrimPrefix(strings.Join(f[2:], " "), "all ")
		}
		return "unknown"
	}
	if name, ok := fileTypeNames[v]; ok {
		return name
	}
	return "type " + v
}

// Tokenize converts text to token ids. addSpecial adds the model's BOS (and
// EOS) tokens where its vocabulary asks for them.
func (m *Model) Tokenize(text string, addSpecial bool) ([]int32, error) {
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	n := len(text) + 8
	for {
		toks := make([]int32, n)
		got := C.llama_tokenize(m.vocab, ctext, C.int32_t(len(text)), (*C.llama_token)(unsafe.Pointer(&toks[0])),
			C.int32_t(n), C.bool(addSpecial), C.bool(true))
		if got >= 0 {
			return toks[:got], nil
		}
		if -int(got) <= n {
			return nil, fmt.Errorf("tokenize: engine returned %d", int(got))
		}
		n = -int(got)
	}
}

// Detokenize converts tokens back to text; control tokens render as nothing.
func (m *Model) Detokenize(tokens []int32) string {
	if len(tokens) == 0 {
		return ""
	}
	buf := make([]byte, len(tokens)*8+16)
	for {
		n := C.llama_detokenize(m.vocab, (*C.llama_token)(unsafe.Pointer(&tokens[0])), C.int32_t(len(tokens)),
			(*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)), C.bool(false), C.bool(false))
		if n >= 0 {
			return string(buf[:n])
		}
		buf = make([]byte, -int(n))
	}
}

// Special tokens of the vocabulary; -1 when the model has none.
func (m *Model) BOS() int32 { return int32(C.llama_vocab_bos(m.vocab)) }
func (m *Model) EOS() int32 { return int32(C.llama_vocab_eos(m.vocab)) }

// AddsBOS tells whether Tokenize with addSpecial puts BOS first.
func (m *Model) AddsBOS() bool { return bool(C.llama_vocab_get_add_bos(m.vocab)) }

// FIM returns the fill-in-the-middle tokens; ok is false when the model has
// none.
func (m *Model) FIM() (pre, suf, mid int32, ok bool) {
	pre = int32(C.llama_vocab_fim_pre(m.vocab))
	suf = int32(C.llama_vocab_fim_suf(m.vocab))
	mid = int32(C.llama_vocab_fim_mid(m.vocab))
	return pre, suf, mid, pre >= 0 && suf >= 0 && mid >= 0
}

// ApplyChatTemplate renders messages with the model's chat template (or the
// engine's built-in template of that name when the model has none, falling
// back to "chatml"). addAssistant ends the text where the assistant's reply
// begins.
func (m *Model) ApplyChatTemplate(msgs []llm.ChatMessage, addAssistant bool) (string, error) {
	return m.ApplyNamedChatTemplate("", msgs, addAssistant)
}

// ApplyNamedChatTemplate renders messages with one of the engine's built-in
// templates by name (ChatTemplates lists them: "chatml", "llama3", ...);
// "" is the model's own, as ApplyChatTemplate.
func (m *Model) ApplyNamedChatTemplate(name string, msgs []llm.ChatMessage, addAssistant bool) (string, error) {
	var tmpl *C.char
	switch {
	case name != "":
		if !slices.Contains(ChatTemplates(), name) {
			return "", fmt.Errorf("apply chat template: unknown template %q (the engine has %s)", name, strings.Join(ChatTemplates(), ", "))
		}
		tmpl = C.CString(name)
		defer C.free(unsafe.Pointer(tmpl))
	default:
		if tmpl = C.llama_model_chat_template(m.c, nil); tmpl == nil {
			tmpl = C.CString("chatml")
			defer C.free(unsafe.Pointer(tmpl))
		}
	}
	cmsgs := make([]C.struct_llama_chat_message, len(msgs))
	total := 0
	for i, msg := range msgs {
		cmsgs[i].role = C.CString(msg.Role)
		cmsgs[i].content = C.CString(msg.Content)
		total += len(msg.Role) + len(msg.Content)
	}
	defer func() {
		for i := range cmsgs {
			C.free(unsafe.Pointer(cmsgs[i].role))
			C.free(unsafe.Pointer(cmsgs[i].content))
		}
	}()
	var first *C.struct_llama_chat_message
	if len(cmsgs) > 0 {
		first = &cmsgs[0]
	}
	buf := make([]byte, 2*total+256)
	for {
		n := C.llama_chat_apply_template(tmpl, first, C.size_t(len(cmsgs)), C.bool(addAssistant),
			(*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)))
		if n < 0 {
			return "", fmt.Errorf("apply chat template: the model's template is not supported by the engine")
		}
		if int(n) <= len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, int(n))
	}
}

// ChatTemplates lists the names of the engine's built-in chat templates.
func ChatTemplates() []string {
	n := int(C.llama_chat_builtin_templates(nil, 0))
	if n <= 0 {
		return nil
	}
	names := make([]*C.char, n)
	C.llama_chat_builtin_templates((**C.char)(unsafe.Pointer(&names[0])), C.size_t(n))
	out := make([]string, n)
	for i, c := range names {
		out[i] = C.GoString(c)
	}
	return out
}

// NumTokens is the size of the vocabulary: valid token ids are 0 to
// NumTokens()-1.
func (m *Model) NumTokens() int { return int(C.llama_vocab_n_tokens(m.vocab)) }

// Piece is the text of one token, control tokens included (as llama-server
// shows them); it may be part of a multi-byte character. tok must be a
// valid id: the engine aborts on others.
func (m *Model) Piece(tok int32) []byte {
	buf := make([]byte, 32)
	for {
		n := C.llama_token_to_piece(m.vocab, C.llama_token(tok), (*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)), 0, true)
		if n >= 0 {
			return buf[:n]
		}
		buf = make([]byte, -int(n))
	}
}
