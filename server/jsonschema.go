package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// JSON output is constrained by the engine's grammar sampler, which reads
// GBNF. jsonGrammar allows any JSON object; schemaGrammar converts the
// common subset of JSON Schema to GBNF: type (string, number, integer,
// boolean, null, object, array, or a list of them), properties, required,
// items, enum, const, anyOf and oneOf. Keywords that only annotate or
// relax (title, description, additionalProperties, ...) are accepted,
// since every output of the grammar still validates; keywords that would
// constrain further (pattern, minimum, minItems, format, $ref, ...) are
// answered 400 rather than silently left unenforced.

// jsonPrimitives are the rules every JSON grammar shares. Whitespace,
// digits and exponents are bounded so that a grammar whose values are
// bounded cannot run on forever.
const jsonPrimitives = `value ::= object | array | string | number | boolean | null
object ::= "{" space ( string ":" space value ( "," space string ":" space value )* )? "}" space
array ::= "[" space ( value ( "," space value )* )? "]" space
string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"" space
number ::= "-"? ( [0-9] | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )? space
integer ::= "-"? ( [0-9] | [1-9] [0-9]{0,15} ) space
boolean ::= ( "true" | "false" ) space
null ::= "null" space
space ::= " "?
`

// jsonGrammar is response_format {"type": "json_object"}: one JSON object.
const jsonGrammar = "root ::= object\n" + jsonPrimitives

// schemaGrammar converts a JSON schema to GBNF.
func schemaGrammar(schema json.RawMessage) (string, error) {
	expr, err := schemaExpr(schema, "schema")
	if err != nil {
		return "", err
	}
	return "root ::= " + expr + "\n" + jsonPrimitives, nil
}

// schemaKeywords are accepted without a rule of their own: annotations,
// and relaxations that every generated value satisfies anyway.
var schemaKeywords = map[string]bool{
	"type": true, "properties": true, "required": true, "items": true, "enum": true, "const": true,
	"anyOf": true, "oneOf": true,
	"title": true, "description": true, "$schema": true, "$id": true, "default": true, "examples": true,
	"additionalProperties": true, "strict": true,
}

func unsupportedSchema(format string, a ...any) *apiError {
	return errorf(http.StatusBadRequest, "unsupported_schema", format, a...)
}

// schemaExpr is the GBNF expression of one schema; at names it in errors.
func schemaExpr(raw json.RawMessage, at string) (string, error) {
	if b := bytes.TrimSpace(raw); string(b) == "true" || string(b) == "{}" {
		return "value", nil
	}
	var s map[string]json.RawMessage
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("%s: a JSON schema must be an object", at)
	}
	var unknown []string
	for k := range s {
		if !schemaKeywords[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "", unsupportedSchema("%s: JSON schema keyword %q is not supported", at, unknown[0])
	}
	switch {
	case s["const"] != nil:
		return literalExpr(s["const"])
	case s["enum"] != nil:
		var vals []json.RawMessage
		if err := json.Unmarshal(s["enum"], &vals); err != nil || len(vals) == 0 {
			return "", badRequest("%s.enum: want a non-empty array", at)
		}
		return alternatives(vals, at+".enum", func(v json.RawMessage, _ string) (string, error) { return literalExpr(v) })
	case s["anyOf"] != nil || s["oneOf"] != nil:
		key := "anyOf"
		if s["oneOf"] != nil {
			key = "oneOf"
		}
		var subs []json.RawMessage
		if err := json.Unmarshal(s[key], &subs); err != nil || len(subs) == 0 {
			return "", badRequest("%s.%s: want a non-empty array of schemas", at, key)
		}
		return alternatives(subs, at+"."+key, schemaExpr)
	}
	var types []string
	if t := s["type"]; t != nil {
		var one string
		if json.Unmarshal(t, &one) == nil {
			types = []string{one}
		} else if json.Unmarshal(t, &types) != nil {
			return "", badRequest("%s.type: want a string or an array of strings", at)
		}
	} else if s["properties"] != nil {
		types = []string{"object"}
	} else {
		return "value", nil
	}
	var alts []string
	for _, t := range types {
		e, err := typeExpr(t, s, at)
		if err != nil {
			return "", err
		}
		alts = append(alts, e)
	}
	return "( " + strings.Join(alts, " | ") + " )", nil
}

func alternatives(items []json.RawMessage, at string, expr func(json.RawMessage, string) (string, error)) (string, error) {
	alts := make([]string, len(items))
	for i, it := range items {
		e, err := expr(it, fmt.Sprintf("%s[%d]", at, i))
		if err != nil {
			return "", err
		}
		alts[i] = e
	}
	return "( " + strings.Join(alts, " | ") + " )", nil
}

func typeExpr(t string, s map[string]json.RawMessage, at string) (string, error) {
	switch t {
	case "string", "number", "integer", "boolean", "null":
		return t, nil
	case "array":
		if s["items"] == nil {
			return "array", nil
		}
		item, err := schemaExpr(s["items"], at+".items")
		if err != nil {
			return "", err
		}
		return `"[" space ( ` + item + ` ( "," space ` + item + ` )* )? "]" space`, nil
	case "object":
		if s["properties"] == nil {
			return "object", nil
		}
		return objectExpr(s, at)
	}
	return "", unsupportedSchema("%s.type: %q is not a JSON schema type", at, t)
}

// objectExpr writes the declared properties in their declared order, the
// required ones always and the others optionally.
func objectExpr(s map[string]json.RawMessage, at string) (string, error) {
	names, props, err := orderedObject(s["properties"])
	if err != nil {
		return "", badRequest("%s.properties: %v", at, err)
	}
	var required []string
	if s["required"] != nil {
		if err := json.Unmarshal(s["required"], &required); err != nil {
			return "", badRequest("%s.required: want an array of strings", at)
		}
	}
	isReq := map[string]bool{}
	for _, r := range required {
		if _, ok := props[r]; !ok {
			return "", unsupportedSchema("%s.required: %q is not among the properties", at, r)
		}
		isReq[r] = true
	}
	kvs := make([]string, len(names))
	for i, n := range names {
		v, err := schemaExpr(props[n], at+".properties."+n)
		if err != nil {
			return "", err
		}
		key, _ := json.Marshal(n)
		kvs[i] = gbnfLiteral(string(key)) + ` space ":" space ` + v
	}
	// body(i, first) is the properties from i on; first says no property
	// has been written yet, so none needs a comma before it.
	var body func(i int, first bool) string
	body = func(i int, first bool) string {
		if i == len(names) {
			return ""
		}
		sep := `"," space `
		if first {
			sep = ""
		}
		if isReq[names[i]] {
			return sep + kvs[i] + " " + body(i+1, false)
		}
		if first {
			// Either this property comes first, or it is absent and a
			// later one may come first.
			return "( " + kvs[i] + " " + body(i+1, false) + " | " + body(i+1, true) + " )"
		}
		return "( " + sep + kvs[i] + " )? " + body(i+1, false)
	}
	return `"{" space ` + body(0, true) + ` "}" space`, nil
}

// orderedObject reads a JSON object keeping its key order, which a Go map
// would lose: properties are generated in the order the schema gives.
func orderedObject(raw json.RawMessage) ([]string, map[string]json.RawMessage, error) {
	props := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &props); err != nil {
		return nil, nil, fmt.Errorf("want an object of schemas")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	var names []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		names = append(names, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil, err
		}
	}
	return names, props, nil
}

// literalExpr matches one JSON value exactly, in its compact form.
func literalExpr(v json.RawMessage) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return "", badRequest("invalid JSON value in schema: %v", err)
	}
	return gbnfLiteral(buf.String()) + " space", nil
}

// gbnfLiteral quotes s as a GBNF string literal.
func gbnfLiteral(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
