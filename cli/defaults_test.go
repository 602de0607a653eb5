package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
	"github.com/codeloom/codeloom/modelstore"
)

// generate uses the defaults.json of the model's store folder for what the
// command line leaves out, and the command line wins.
func TestGenerateUsesModelDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stories")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(testfixture.Path(t, "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, modelstore.ModelFile)
	if err := os.WriteFile(model, b, 0o644); err != nil {
		t.Fatal(err)
	}
	three, zero := 3, float32(0)
	if err := modelstore.WriteDefaults(dir, &modelstore.Defaults{MaxTokens: &three, Temperature: &zero}); err != nil {
		t.Fatal(err)
	}
	args := []string{"generate", "-m", model, "-p", "Once upon a time", "--threads", "1", "--timings"}
	if code, out := runCLI(args...); code != 0 || !strings.Contains(out, "generated 3 tokens") {
		t.Fatalf("defaults.json max_tokens 3: exit %d, %q", code, out)
	}
	if code, out := runCLI(append(args, "-n", "5")...); code != 0 || !strings.Contains(out, "generated 5 tokens") {
		t.Fatalf("-n 5 over defaults.json: exit %d, %q", code, out)
	}
	os.WriteFile(filepath.Join(dir, modelstore.DefaultsFile), []byte(`{"temprature": 0}`), 0o644)
	if code, out := runCLI(args...); code == 0 || !strings.Contains(out, modelstore.DefaultsFile) {
		t.Fatalf("a misspelt defaults.json: exit %d, %q", code, out)
	}
}
