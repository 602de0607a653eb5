package modelstore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/codeloom/codeloom/internal/atomicfile"
)

// WriteBaseRef records in dir's base file the base model that dir's
// adapter was trained on, as an absolute path so the store finds it from
// any working folder.
func WriteBaseRef(dir, base string) error {
	abs, err := filepath.Abs(base)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, BaseFile), []byte(abs+"\n"))
}

// BaseRef is the base model of dir's adapter as recorded: the base file, or
// else train.json's base_model or base path. It is a model name in the
// store or a GGUF path (relative paths are relative to dir); "" when
// nothing names one.
func BaseRef(dir string) string {
	if b, err := os.ReadFile(filepath.Join(dir, BaseFile)); err == nil {
		return strings.TrimSpace(string(b))
	}
	t, err := ReadTrain(dir)
	switch {
	case err != nil:
		return ""
	case t.BaseModel != "":
		return t.BaseModel
	}
	return t.Base.Path
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
