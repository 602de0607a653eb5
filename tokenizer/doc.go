// Package tokenizer trains byte-level BPE tokenizers for models made from
// scratch, in the form llama.cpp's "gpt2" tokenizer reads.
//
// Text is split the way GPT-2 splits it (contractions, letter runs, digit
// runs, punctuation runs, whitespace), each piece's bytes are mapped to
// printable characters, and merges are learned from pair counts that are
// updated incrementally, so training costs about one pass over the affected
// words per merge instead of a recount:
//
//	tok, err := tokenizer.Train(ctx, slices.Values(texts), 4096, tokenizer.Options{})
//	ids := tok.Encode("func main() {}")
//	text := tok.Decode(ids)
//	err = gguf.WriteTinyLlama(ctx, path, gguf.TinyLlamaConfig{Tokenizer: tok.Spec()})
//
// Training is deterministic: the same texts give the same tokenizer.
package tokenizer
