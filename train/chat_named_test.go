package train

import (
	"strings"
	"testing"

	"github.com/codeloom/codeloom/bindings"
	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/llm"
)

// --chat-template takes the engine's built-in templates by name besides
// chatml, and refuses a name the engine lacks.
func TestNamedChatTemplate(t *testing.T) {
	m, err := bindings.LoadModel(testfixture.Path(t, "stories260K.gguf"), bindings.ModelParams{VocabOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := newChatRenderer(m, "llama3")
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.render([]llm.ChatMessage{{Role: "user", Content: "hi"}}, true)
	if err != nil || !strings.Contains(s, "<|start_header_id|>user<|end_header_id|>") {
		t.Fatalf("llama3 rendering %q, %v", s, err)
	}
	cfg := Config{ChatTemplate: "no-such-template"}
	if err := cfg.check(); err == nil || !strings.Contains(err.Error(), `unknown chat template "no-such-template"`) {
		t.Fatalf("unknown template: %v", err)
	}
}
