package pipeline

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/codeloom/codeloom/internal/editdist"
)

// decodeStrict decodes YAML into v (a pointer to a struct), keeping the
// values v already holds for keys the document leaves out. Every error
// names the key by its full path (train.rank) and the line: unknown keys
// (with the closest known one), repeated keys and values of the wrong type.
// Keys under an old name (renamedKeys) are read as the new one, with a note.
func decodeStrict(b []byte, v any) (notes []string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file changes nothing
	}
	d := &decoder{}
	err = d.decodeStruct(doc.Content[0], reflect.ValueOf(v).Elem(), "")
	return d.notes, err
}

type decoder struct{ notes []string }

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		where := "the document"
		if path != "" {
			where = path
		}
		return fmt.Errorf("line %d: %s must be a mapping of keys", n.Line, where)
	}
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keyNode, valNode := n.Content[i], n.Content[i+1]
		name, key := keyNode.Value, joinKey(path, keyNode.Value)
		if now, ok := renamedKeys[key]; ok {
			d.notes = append(d.notes, fmt.Sprintf("line %d: %s is now called %s; the old name will go", keyNode.Line, key, joinKey(path, now)))
			name, key = now, joinKey(path, now)
		}
		if seen[name] {
			return fmt.Errorf("line %d: %s is given twice", keyNode.Line, key)
		}
		seen[name] = true
		idx, ok := fields[name]
		if !ok {
			return fmt.Errorf("line %d: unknown key %s, did you mean %s? (known here: %s)",
				keyNode.Line, key, joinKey(path, closest(name, fields)), knownKeys(fields))
		}
		field := v.Field(idx)
		if field.Kind() == reflect.Struct {
			if err := d.decodeStruct(valNode, field, key); err != nil {
				return err
			}
			continue
		}
		if err := valNode.Decode(field.Addr().Interface()); err != nil {
			return fmt.Errorf("line %d: %s: %s", valNode.Line, key, typeErrorText(err))
		}
	}
	return nil
}

// yamlFields maps a struct's YAML keys to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m
}

func knownKeys(fields map[string]int) string {
	return strings.Join(slices.Sorted(maps.Keys(fields)), ", ")
}

// closest is the known key nearest to key in edit distance; among equals,
// the first in sorted order, so the suggestion does not change run to run.
func closest(key string, fields map[string]int) string {
	best, bestDist := "", -1
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if d := editdist.Distance([]byte(key), []byte(k)); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// typeErrorText shortens yaml.v3's "line N: cannot unmarshal !!str `abc`
// into int" to "cannot use "abc" as int": the line and key are already said.
func typeErrorText(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return err.Error()
	}
	msg := te.Errors[0]
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		msg = rest
	}
	return msg
}
