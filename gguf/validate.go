package gguf

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid wraps every reason Validate refuses a file that parses: the
// engine would abort the process, read out of bounds or fail obscurely on it.
var ErrInvalid = errors.New("invalid model file")

// invalid is a Validate error: its text is only the reason (naming the key
// or tensor), yet errors.Is(err, ErrInvalid) holds.
type invalid string

func (e invalid) Error() string        { return string(e) }
func (e invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error { return invalid(fmt.Sprintf(format, args...)) }

// Engine limits (llama-hparams.h): larger values overflow its fixed arrays.
const (
	maxLayers  = 512
	maxExperts = 512
)

// attentionArchs are the architectures whose hyperparameters and tensor
// shapes Validate knows in full; for others it checks what every
// architecture shares.
var attentionArchs = map[string]bool{"llama": true, "qwen2": true, "qwen3": true}

// Validate checks what the engine trusts without checking, from the header
// alone (no tensor data is read): the hyperparameters it asserts on, the
// vocabulary, and, for the llama family, every tensor's shape. Read has
// already checked sizes, counts and tensor extents against the file.
// Adapters (general.type = "adapter") get the adapter checks instead.
func (f *File) Validate() error {
	if t, _ := f.String("general.type"); t == "adapter" {
		return f.validateAdapter()
	}
	arch, err := f.String("general.architecture")
	if err != nil {
		return invalidf("general.architecture: %v", err)
	}
	hp, err := f.hyperparams(arch)
	if err != nil {
		return err
	}
	nVocab, err := f.validateVocab()
	if err != nil {
		return err
	}
	return f.validateTensors(arch, hp, nVocab)
}

// hparams are the sizes that tensor shapes follow.
type hparams struct {
	embd, layers, heads, headsKV, ff, headK, headV uint64
}

// uintKey returns an integer key as uint64: ok is false when absent; a
// present key of another type or a negative value is an error.
func (f *File) uintKey(key string) (n uint64, ok bool, err error) {
	v, present := f.Lookup(key)
	if !present {
		return 0, false, nil
	}
	i, err := v.Int()
	if err != nil || i < 0 {
		return 0, true, invalidf("%s is %s, want a non-negative integer", key, v)
	}
	return uint64(i), true, nil
}

// positive requires key to be present and > 0.
func (f *File) positive(key string) (uint64, error) {
	n, ok, err := f.uintKey(key)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, invalidf("%s is missing", key)
	case n == 0:
		return 0, invalidf("%s is 0", key)
	}
	return n, nil
}

// perLayer reads a key that is a scalar or an array of one value per layer
// (as the engine's get_key_or_arr does); every value must be > 0 when
// required, and all must be equal, since the shapes below assume that.
func (f *File) perLayer(key string, layers uint64, required bool) (uint64, bool, error) {
	v, present := f.Lookup(key)
	if !present {
		if required {
			return 0, false, invalidf("%s is missing", key)
		}
		return 0, false, nil
	}
	vals := []Value{v}
	if v.Type() == ValueArray {
		if uint64(v.Len()) != layers {
			return 0, true, invalidf("%s has %d entries for %d layers", key, v.Len(), layers)
		}
		vals = vals[:0]
		for i := range v.Len() {
			vals = append(vals, v.index(i))
		}
	}
	var first uint64
	for i, e := range vals {
		n, err := e.Int()
		if err != nil || n < 0 {
			return 0, true, invalidf("%s is %s, want a non-negative integer", key, describe(v))
		}
		if n == 0 && required {
			return 0, true, invalidf("%s is 0", key)
		}
		if i == 0 {
			first = uint64(n)
		} else if uint64(n) != first {
			return 0, true, invalidf("%s differs between layers (%d, %d); not supported", key, first, n)
		}
	}
	return first, true, nil
}

func (f *File) hyperparams(arch string) (hparams, error) {
	var hp hparams
	a := arch + "."
	var err error
	if _, err = f.positive(a + "context_length"); err != nil {
		return hp, err
	}
	if hp.embd, err = f.positive(a + "embedding_length"); err != nil {
		return hp, err
	}
	if hp.layers, err = f.positive(a + "block_count"); err != nil {
		return hp, err
	}
	if hp.layers > maxLayers {
		return hp, invalidf("%sblock_count is %d, the engine supports at most %d", a, hp.layers, maxLayers)
	}
	if err := f.validateExperts(a); err != nil {
		return hp, err
	}
	if s, err := f.String(a + "rope.scaling.type"); err == nil {
		switch s {
		case "none", "linear", "yarn", "longrope":
		default:
			return hp, invalidf("%srope.scaling.type is %q, want none, linear, yarn or longrope", a, s)
		}
	}
	known := attentionArchs[arch]
	if hp.ff, _, err = f.perLayer(a+"feed_forward_length", hp.layers, known); err != nil {
		return hp, err
	}
	if hp.heads, _, err = f.perLayer(a+"attention.head_count", hp.layers, known); err != nil {
		return hp, err
	}
	hp.headsKV = hp.heads
	if n, ok, err := f.perLayer(a+"attention.head_count_kv", hp.layers, known && f.has(a+"attention.head_count_kv")); err != nil {
		return hp, err
	} else if ok {
		hp.headsKV = n
	}
	if hp.heads == 0 {
		return hp, nil // no attention (recurrent architectures): nothing more to relate
	}
	if hp.headsKV == 0 || hp.heads%hp.headsKV != 0 {
		return hp, invalidf("%sattention.head_count %d is not a multiple of head_count_kv %d", a, hp.heads, hp.headsKV)
	}
	hp.headK, hp.headV = hp.embd/hp.heads, hp.embd/hp.heads
	k, hasK, err := f.uintKey(a + "attention.key_length")
	if err != nil {
		return hp, err
	}
	v, hasV, err := f.uintKey(a + "attention.value_length")
	if err != nil {
		return hp, err
	}
	if hasK {
		hp.headK = k
	}
	if hasV {
		hp.headV = v
	}
	if !known {
		return hp, nil
	}
	if !hasK && hp.embd%hp.heads != 0 {
		return hp, invalidf("%sembedding_length %d is not divisible by attention.head_count %d", a, hp.embd, hp.heads)
	}
	if hp.headK == 0 || hp.headV == 0 {
		return hp, invalidf("%sattention head size is 0", a)
	}
	if rot, ok, err := f.uintKey(a + "rope.dimension_count"); err != nil {
		return hp, err
	} else if ok && (rot == 0 || rot > hp.headK || rot%2 != 0) {
		return hp, invalidf("%srope.dimension_count %d must be even and within the head size %d", a, rot, hp.headK)
	}
	return hp, nil
}

func (f *File) has(key string) bool { _, ok := f.Lookup(key); return ok }

// validateExperts mirrors the engine's GGML_ASSERTs on mixture-of-experts
// counts (llama-model.cpp, load_hparams).
func (f *File) validateExperts(a string) error {
	n, _, err := f.uintKey(a + "expert_count")
	if err != nil {
		return err
	}
	used, _, err := f.uintKey(a + "expert_used_count")
	if err != nil {
		return err
	}
	groups, _, err := f.uintKey(a + "expert_group_count")
	if err != nil {
		return err
	}
	groupUsed, _, err := f.uintKey(a + "expert_group_used_count")
	if err != nil {
		return err
	}
	switch {
	case n > maxExperts:
		return invalidf("%sexpert_count is %d, the engine supports at most %d", a, n, maxExperts)
	case used > n:
		return invalidf("%sexpert_used_count %d exceeds expert_count %d", a, used, n)
	case n > 0 && used == 0:
		return invalidf("%sexpert_used_count is 0 with %d experts", a, n)
	case n == 0 && groups != 0:
		return invalidf("%sexpert_group_count is %d without experts", a, groups)
	case n > 0 && groups >= n:
		return invalidf("%sexpert_group_count %d is not below expert_count %d", a, groups, n)
	case groups > 1 && (n%groups != 0 || groupUsed == 0 || groupUsed >= groups):
		return invalidf("%sexpert groups (%d of %d used) do not divide %d experts", a, groupUsed, groups, n)
	}
	return nil
}

// validateVocab checks the tokenizer arrays the engine indexes without
// bounds checks and returns the vocabulary size (0 without a vocabulary).
func (f *File) validateVocab() (uint64, error) {
	model, err := f.String(KeyTokenizerModel)
	if err != nil || model == "none" || model == "no_vocab" {
		return 0, nil // the engine loads such files without a vocabulary
	}
	tv, ok := f.Lookup(KeyTokenizerTokens)
	if !ok {
		return 0, invalidf("%s is missing", KeyTokenizerTokens)
	}
	tokens, err := f.Strings(KeyTokenizerTokens)
	if err != nil {
		return 0, invalidf("%s is %s, want an array of strings", KeyTokenizerTokens, describe(tv))
	}
	if len(tokens) == 0 {
		return 0, invalidf("%s is empty", KeyTokenizerTokens)
	}
	if uint64(len(tokens)) >= 1<<31 {
		return 0, invalidf("%s has %d tokens, more than a token id holds", KeyTokenizerTokens, len(tokens))
	}
	// The engine maps token text to id and asserts that no two ids share a
	// text; it renames empty tokens first, so the check does the same.
	seen := make(map[string]int, len(tokens))
	for i, t := range tokens {
		if t == "" {
			t = "[EMPTY_" + strconv.Itoa(i) + "]"
		}
		if j, dup := seen[t]; dup {
			return 0, invalidf("%s: token %d %q duplicates token %d", KeyTokenizerTokens, i, t, j)
		}
		seen[t] = i
	}
	n := len(tokens)
	// Scores and types are read as raw float32/int32 arrays of n entries.
	if err := f.parallelArray(KeyTokenizerScores, n, ValueFloat32); err != nil {
		return 0, err
	}
	if err := f.parallelArray(KeyTokenizerTypes, n, ValueInt32, ValueUint32); err != nil {
		return 0, err
	}
	if model == "gpt2" {
		if err := f.validateMerges(); err != nil {
			return 0, err
		}
	}
	for _, kv := range f.KV {
		if !strings.HasPrefix(kv.Key, tokenIDPrefix) || !strings.HasSuffix(kv.Key, tokenIDSuffix) {
			continue
		}
		id, err := kv.Value.Int()
		if err != nil {
			return 0, invalidf("%s is %s, want an integer", kv.Key, describe(kv.Value))
		}
		// -1 (or its uint32 form) is how writers say "none".
		if id != -1 && id != 1<<32-1 && (id < 0 || id >= int64(n)) {
			return 0, invalidf("%s is %d, outside the vocabulary of %d tokens", kv.Key, id, n)
		}
	}
	return uint64(n), nil
}

// parallelArray checks that an optional per-token array has n entries of
// one of the given element types.
func (f *File) parallelArray(key string, n int, types ...ValueType) error {
	v, ok := f.Lookup(key)
	if !ok {
		return nil
	}
	good := v.Type() == ValueArray
	if good {
		good = false
		for _, t := range types {
			good = good || v.ElemType() == t
		}
	}
	if !good {
		return invalidf("%s is %s, want an array of %s", key, describe(v), types[0])
	}
	if v.Len() != n {
		return invalidf("%s has %d entries for %d tokens", key, v.Len(), n)
	}
	return nil
}

// validateMerges checks that every BPE merge is two parts split by a
// space, as the engine splits them.
func (f *File) validateMerges() error {
	v, ok := f.Lookup(KeyTokenizerMerges)
	if !ok {
		return invalidf("%s is missing (needed by the gpt2 tokenizer)", KeyTokenizerMerges)
	}
	merges, err := f.Strings(KeyTokenizerMerges)
	if err != nil {
		return invalidf("%s is %s, want an array of strings", KeyTokenizerMerges, describe(v))
	}
	for i, m := range merges {
		if len(m) < 3 || strings.IndexByte(m[1:], ' ') < 0 {
			return invalidf("%s entry %d %q is not two parts split by a space", KeyTokenizerMerges, i, m)
		}
	}
	return nil
}

// validateTensors checks that block numbers stay below block_count and, for
// the llama family, that every tensor the engine expects is there with its
// shape. Extra tensors are left to the engine, which refuses them cleanly.
func (f *File) validateTensors(arch string, hp hparams, nVocab uint64) error {
	for _, t := range f.Tensors {
		rest, ok := strings.CutPrefix(t.Name, "blk.")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if b, err := strconv.ParseUint(num, 10, 64); err != nil || b >= hp.layers {
			return invalidf("tensor %q: block %q is not below block_count %d", t.Name, num, hp.layers)
		}
	}
	// Mixture-of-experts llama files (Mixtral) have other FFN tensors; the
	// engine checks those shapes itself and throws, which is a clean error.
	if n, _, _ := f.uintKey(arch + ".expert_count"); !attentionArchs[arch] || n > 0 {
		return nil
	}
	if nVocab == 0 {
		if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Dims) == 2 {
			nVocab = t.Dims[1]
		}
	}
	want := llamaShapes(arch, hp, nVocab)
	for _, name := range slices.Sorted(maps.Keys(want)) { // sorted: the same file gives the same error
		dims := want[name]
		t, ok := f.Tensor(name)
		if !ok {
			if name == "output.weight" || strings.HasSuffix(name, ".bias") {
				continue // optional: output is tied to token_embd; biases are qwen2's
			}
			return invalidf("tensor %q is missing", name)
		}
		if !sameDims(t.Dims, dims) {
			return invalidf("tensor %q has shape %v, want %v", name, t.Dims, dims)
		}
	}
	return nil
}

// llamaShapes lists the tensors of a llama-family model and their ggml
// shapes.
func llamaShapes(arch string, hp hparams, nVocab uint64) map[string][]uint64 {
	q, kv, out := hp.heads*hp.headK, hp.headsKV*hp.headK, hp.heads*hp.headV
	vkv := hp.headsKV * hp.headV
	vocab := []uint64{hp.embd, nVocab}
	m := map[string][]uint64{"token_embd.weight": vocab, "output_norm.weight": {hp.embd}, "output.weight": vocab}
	for i := range hp.layers {
		p := "blk." + strconv.FormatUint(i, 10) + "."
		m[p+"attn_norm.weight"] = []uint64{hp.embd}
		m[p+"attn_q.weight"] = []uint64{hp.embd, q}
		m[p+"attn_k.weight"] = []uint64{hp.embd, kv}
		m[p+"attn_v.weight"] = []uint64{hp.embd, vkv}
		m[p+"attn_output.weight"] = []uint64{out, hp.embd}
		m[p+"ffn_norm.weight"] = []uint64{hp.embd}
		m[p+"ffn_gate.weight"] = []uint64{hp.embd, hp.ff}
		m[p+"ffn_up.weight"] = []uint64{hp.embd, hp.ff}
		m[p+"ffn_down.weight"] = []uint64{hp.ff, hp.embd}
		switch arch {
		case "llama": // optional in the engine
			m[p+"attn_q.bias"], m[p+"attn_k.bias"], m[p+"attn_v.bias"] = []uint64{q}, []uint64{kv}, []uint64{vkv}
			m[p+"attn_output.bias"] = []uint64{hp.embd}
		case "qwen2":
			m[p+"attn_q.bias"], m[p+"attn_k.bias"], m[p+"attn_v.bias"] = []uint64{q}, []uint64{kv}, []uint64{vkv}
		case "qwen3":
			m[p+"attn_q_norm.weight"] = []uint64{hp.headK}
			m[p+"attn_k_norm.weight"] = []uint64{hp.headK}
		}
	}
	return m
}

// sameDims compares shapes, ignoring trailing 1s as ggml does.
func sameDims(got, want []uint64) bool {
	trim := func(d []uint64) []uint64 {
		for len(d) > 0 && d[len(d)-1] == 1 {
			d = d[:len(d)-1]
		}
		return d
	}
	g, w := trim(got), trim(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] != w[i] {
			return false
		}
	}
	return true
}

// validateAdapter checks a LoRA adapter's metadata and that its tensors
// come in lora_a/lora_b pairs of one rank each.
func (f *File) validateAdapter() error {
	if _, err := f.String("general.architecture"); err != nil {
		return invalidf("general.architecture: %v", err)
	}
	if t, err := f.String("adapter.type"); err != nil || t != "lora" {
		return invalidf("adapter.type is %q, want \"lora\"", t)
	}
	if v, ok := f.Lookup("adapter.lora.alpha"); ok && v.Type() != ValueFloat32 {
		return invalidf("adapter.lora.alpha is %s, want float32", describe(v))
	}
	for _, t := range f.Tensors {
		base, ok := strings.CutSuffix(t.Name, ".lora_a")
		if !ok {
			if _, isB := strings.CutSuffix(t.Name, ".lora_b"); isB {
				if _, hasA := f.Tensor(strings.TrimSuffix(t.Name, "_b") + "_a"); !hasA {
					return invalidf("tensor %q has no lora_a", t.Name)
				}
			}
			continue
		}
		b, ok := f.Tensor(base + ".lora_b")
		if !ok {
			return invalidf("tensor %q has no lora_b", t.Name)
		}
		if len(t.Dims) < 2 || len(b.Dims) < 2 {
			return invalidf("tensor %q: lora_a and lora_b must be matrices", base)
		}
		if !strings.HasPrefix(base, "token_embd") && t.Dims[1] != b.Dims[0] {
			return invalidf("tensor %q: lora_a rank %d differs from lora_b rank %d", base, t.Dims[1], b.Dims[0])
		}
	}
	return nil
}
