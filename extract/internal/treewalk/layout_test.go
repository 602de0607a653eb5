package treewalk

import (
	"reflect"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// TestBindingLayouts holds the types that mirror the binding's unexported
// ones (node, language) to them field by field: name, offset,
// size and kind (any pointer is a pointer), so that a binding upgrade that reorders, renames, retypes
// or adds a field fails here rather than in a walk. init checks only the
// sizes.
func TestBindingLayouts(t *testing.T) {
	for _, tc := range []struct{ theirs, ours reflect.Type }{
		{reflect.TypeFor[sitter.Node](), reflect.TypeFor[node]()},
		{reflect.TypeFor[sitter.Language](), reflect.TypeFor[language]()},
	} {
		if tc.theirs.NumField() != tc.ours.NumField() || tc.theirs.Size() != tc.ours.Size() {
			t.Errorf("%v: %d fields, %d bytes; %v has %d, %d", tc.theirs, tc.theirs.NumField(), tc.theirs.Size(), tc.ours, tc.ours.NumField(), tc.ours.Size())
			continue
		}
		for i := range tc.theirs.NumField() {
			a, b := tc.theirs.Field(i), tc.ours.Field(i)
			if a.Name != b.Name || a.Offset != b.Offset || a.Type.Size() != b.Type.Size() || kind(a.Type) != kind(b.Type) {
				t.Errorf("%v.%s (%v at %d, %d bytes) is not %v.%s (%v at %d, %d bytes)", tc.theirs, a.Name, a.Type, a.Offset, a.Type.Size(), tc.ours, b.Name, b.Type, b.Offset, b.Type.Size())
			}
			if a.Type.Kind() == reflect.Pointer && a.Type.Elem().PkgPath() == "github.com/smacker/go-tree-sitter" &&
				!strings.HasPrefix(a.Type.Elem().Name(), "_Ctype_") && a.Type != b.Type { // a Go type of the binding: the same one
				t.Errorf("%v.%s points to %v, %v.%s to %v", tc.theirs, a.Name, a.Type, tc.ours, b.Name, b.Type)
			}
		}
	}
}

// kind is t's kind, with unsafe.Pointer counted as a pointer: the mirror
// holds C pointers the binding types as unsafe.Pointer.
func kind(t reflect.Type) reflect.Kind {
	if k := t.Kind(); k != reflect.UnsafePointer {
		return k
	}
	return reflect.Pointer
}
