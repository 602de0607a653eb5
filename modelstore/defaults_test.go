package modelstore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if d, err := ReadDefaults(dir); d != nil || err != nil {
		t.Fatalf("no file: %+v, %v; want nil, nil", d, err)
	}
	temp, maxTokens := float32(0), 5
	want := &Defaults{Temperature: &temp, MaxTokens: &maxTokens, Stop: []string{"\n\n"}}
	if err := WriteDefaults(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDefaults(dir)
	if err != nil {
		t.Fatal(err)
	}
	// temperature 0 is a setting (greedy), not an absent field.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v, want %+v", got, want)
	}
}

func TestDefaultsErrorsNameTheFile(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not json", "{temperature: 0}", "invalid character"},
		{"unknown field", `{"temprature": 0}`, `unknown field "temprature"`},
		{"wrong type", `{"max_tokens": "five"}`, "max_tokens"},
		{"out of range", `{"top_p": 0}`, "top_p 0 out of range [0, 1]"},
		{"max tokens", `{"max_tokens": 0}`, "max_tokens 0: want 1 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, DefaultsFile)
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadDefaults(dir)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want it to name %s and say %q", err, path, tc.want)
			}
		})
	}
}
