package engine

import (
	"fmt"

	"github.com/codeloom/codeloom/gguf"
	"github.com/codeloom/codeloom/llm"
)

// Inspect reads a model's or adapter's metadata from its GGUF header without
// loading it, for the server's model list.
func Inspect(path string) (llm.ModelInfo, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return llm.ModelInfo{}, fmt.Errorf("inspect %s: %w", path, err)
	}
	defer f.Close()
	arch, _ := f.String("general.architecture")
	info := llm.ModelInfo{Architecture: arch}
	if n, err := f.Int(arch + ".context_length"); err == nil {
		info.ContextLength = int(n)
	}
	info.ChatTemplate, _ = f.String("tokenizer.chat_template")
	// The quantization is the type holding most of the weights' bytes.
	bytes := map[gguf.TensorType]uint64{}
	for _, t := range f.Tensors {
		info.Params += int64(t.NumElements())
		bytes[t.Type] += t.Size
	}
	var most uint64
	for typ, n := range bytes {
		if n > most {
			most, info.FileType = n, typ.String()
		}
	}
	return info, nil
}
