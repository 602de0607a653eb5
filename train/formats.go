package train

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/dataset"
	"github.com/codeloom/codeloom/llm"
)

// DataFormat is the shape of the records in a training data file.
type DataFormat string

// Data formats. Auto picks one from the first record's fields.
const (
	DataAuto DataFormat = "auto"
	// DataCodeloom is codeloom's own dataset records (code, docstring, ...);
	// Config.Format says how they become samples.
	DataCodeloom DataFormat = "codeloom"
	// DataInstruction is Alpaca's shape: instruction, optional input, and
	// output (or response). Only the output is scored.
	DataInstruction DataFormat = "instruction"
	// DataChat is chat messages rendered with a chat template. Only the
	// assistant turns are scored.
	DataChat DataFormat = "chat"
	// DataCompletion is TRL's prompt and completion. Only the completion is
	// scored.
	DataCompletion DataFormat = "completion"
	// DataText is plain text; every token is scored.
	DataText DataFormat = "text"
)

// ParseDataFormat checks a data format name; "" is auto.
func ParseDataFormat(s string) (DataFormat, error) {
	switch f := DataFormat(s); f {
	case "":
		return DataAuto, nil
	case DataAuto, DataCodeloom, DataInstruction, DataChat, DataCompletion, DataText:
		return f, nil
	}
	return "", fmt.Errorf("unknown data format %q (want auto, codeloom, instruction, chat, completion or text)", s)
}

// DataError is a record that does not fit its data format.
type DataError struct {
	File  string
	Unit  string // "line" in JSONL, "row" in Parquet
	Line  int    // 1-based
	Field string // the field at fault ("messages[1].content"); "" when the record as a whole is
	Err   error
}

func (e *DataError) Error() string {
	return fmt.Sprintf("%s: %s %d: %v", e.File, e.Unit, e.Line, e.Err)
}

func (e *DataError) Unwrap() error { return e.Err }

// fields is one record as its JSON object, field by field.
type fields map[string]json.RawMessage

// detectFormat picks the data format from the fields of the first record,
// the way TRL's SFTTrainer tells its dataset types apart.
func detectFormat(f fields) (DataFormat, error) {
	has := func(k string) bool { _, ok := f[k]; return ok }
	switch {
	case has("messages"):
		return DataChat, nil
	case has("instruction"):
		return DataInstruction, nil
	case has("prompt"):
		return DataCompletion, nil
	case has("text"):
		return DataText, nil
	case has("code"):
		return DataCodeloom, nil
	}
	return "", fmt.Errorf("cannot tell the data format from the fields %v: want messages (chat), instruction and output (instruction), "+
		"prompt and completion (completion), text (text) or code (codeloom's records); or pass --data-format", slices.Sorted(maps.Keys(f)))
}

// fieldError names a field that is missing or has the wrong type.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.msg }

func missing(name, format string) error {
	return &fieldError{name, fmt.Sprintf("field %q is missing (%s records need it)", name, format)}
}

// jsonKind names the JSON type of a raw value.
func jsonKind(v json.RawMessage) string {
	switch strings.TrimSpace(string(v))[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// str reads a string field; ok is false when it is absent or null.
func (f fields) str(name string) (s string, ok bool, err error) {
	v, ok := f[name]
	if !ok || jsonKind(v) == "null" {
		return "", false, nil
	}
	if k := jsonKind(v); k != "a string" {
		return "", false, &fieldError{name, fmt.Sprintf("field %q is %s, want a string", name, k)}
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false, &fieldError{name, fmt.Sprintf("field %q: %v", name, err)}
	}
	return s, true, nil
}

// need reads a string field that the format requires.
func (f fields) need(name string, format DataFormat) (string, error) {
	s, ok, err := f.str(name)
	if err == nil && !ok {
		err = missing(name, string(format))
	}
	return s, err
}

// segment is a piece of a sample's text and whether its tokens are scored.
type segment struct {
	text   string
	scored bool
}

// parsed is an external record made ready for tokenizing.
type parsed struct {
	segs []segment
	eos  bool // end the sample with the end-of-text token (scored)
	val  bool // the record is in the validation split
}

// AlpacaPrompt is the prompt the instruction format puts before the output:
// Alpaca's layout without its preamble.
func AlpacaPrompt(instruction, input string) string {
	if input == "" {
		return "### Instruction:\n" + instruction + "\n\n### Response:\n"
	}
	return "### Instruction:\n" + instruction + "\n\n### Input:\n" + input + "\n\n### Response:\n"
}

// parseRecord turns an external record of format into segments; chat
// renders conversations.
func parseRecord(f fields, format DataFormat, chat *chatRenderer) (parsed, error) {
	var p parsed
	split, _, err := f.str("split")
	if err != nil {
		return p, err
	}
	p.val = split == dataset.SplitValidation
	switch format {
	case DataInstruction:
		ins, err := f.need("instruction", format)
		if err != nil {
			return p, err
		}
		input, _, err := f.str("input")
		if err != nil {
			return p, err
		}
		out, ok, err := f.str("output")
		if err == nil && !ok {
			out, ok, err = f.str("response")
		}
		if err == nil && !ok {
			err = &fieldError{"output", `field "output" (or "response") is missing (instruction records need it)`}
		}
		if err != nil {
			return p, err
		}
		p.segs, p.eos = []segment{{AlpacaPrompt(ins, input), false}, {out, true}}, true
	case DataCompletion:
		prompt, err := f.need("prompt", format)
		if err != nil {
			return p, err
		}
		comp, err := f.need("completion", format)
		if err != nil {
			return p, err
		}
		p.segs, p.eos = []segment{{prompt, false}, {comp, true}}, true
	case DataText:
		text, err := f.need("text", format)
		if err != nil {
			return p, err
		}
		p.segs, p.eos = []segment{{text, true}}, true
	case DataChat:
		msgs, err := f.messages()
		if err != nil {
			return p, err
		}
		p.segs, err = chat.segments(msgs)
		if err != nil {
			return p, err
		}
	default:
		return p, fmt.Errorf("unknown data format %q", format)
	}
	return p, nil
}

// messages reads and checks the messages field of a chat record.
func (f fields) messages() ([]llm.ChatMessage, error) {
	v, ok := f["messages"]
	if !ok || jsonKind(v) == "null" {
		return nil, missing("messages", string(DataChat))
	}
	if k := jsonKind(v); k != "an array" {
		return nil, &fieldError{"messages", fmt.Sprintf(`field "messages" is %s, want an array of {"role", "content"} objects`, k)}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, &fieldError{"messages", fmt.Sprintf(`field "messages": %v`, err)}
	}
	if len(raw) == 0 {
		return nil, &fieldError{"messages", `field "messages" is empty`}
	}
	msgs := make([]llm.ChatMessage, len(raw))
	for i, r := range raw {
		name := fmt.Sprintf("messages[%d]", i)
		if k := jsonKind(r); k != "an object" {
			return nil, &fieldError{name, fmt.Sprintf("%s is %s, want an object with role and content", name, k)}
		}
		var m fields
		if err := json.Unmarshal(r, &m); err != nil {
			return nil, &fieldError{name, fmt.Sprintf("%s: %v", name, err)}
		}
		var err error
		if msgs[i].Role, err = m.need("role", DataChat); err == nil {
			msgs[i].Content, err = m.need("content", DataChat)
		}
		if fe, ok := err.(*fieldError); ok {
			fe.field = name + "." + fe.field
			fe.msg = name + ": " + fe.msg
			return nil, fe
		}
	}
	return msgs, nil
}

// buildSegments tokenizes segments into a sample: the model's BOS first
// when it adds one, then each segment, then EOS when eos is set. With all
// every token is scored, prompts included.
func (b SampleBuilder) buildSegments(p parsed, all bool) (Sample, error) {
	var s Sample
	if b.Tok.AddsBOS() {
		s.add([]int32{b.Tok.BOS()}, false)
	}
	for _, seg := range p.segs {
		if seg.text == "" {
			continue
		}
		t, err := b.Tok.Tokenize(seg.text, false)
		if err != nil {
			return s, fmt.Errorf("tokenize: %w", err)
		}
		s.add(t, seg.scored || all)
	}
	if p.eos {
		s.add([]int32{b.Tok.EOS()}, true)
	}
	return s, nil
}
