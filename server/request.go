package server

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// stringList accepts a JSON string or an array of strings, as OpenAI's
// "stop" and "prompt" do.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or an array of strings")
	}
	*l = many
	return nil
}

// decodeJSON reads the request body into v and turns every way it can fail
// into a 4xx apiError that names the problem.
//
// A field v does not declare is answered 400 unsupported_field naming it,
// never ignored: a field the server does not implement (OpenAI's "tools",
// say) would otherwise change nothing while the client believes it did, and
// a misspelt one ("max_token") would silently fall back to a default.
// Fields that are accepted without changing the output (OpenAI's "user")
// are declared in the request types, each with the reason.
func decodeJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	var (
		apiErr  *apiError
		maxErr  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
		netErr  net.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &apiErr): // from a field's own UnmarshalJSON
		return apiErr
	case errors.As(err, &netErr) && netErr.Timeout() && shuttingDownFor(c.Request.Context()):
		return shuttingDown()
	case errors.As(err, &netErr) && netErr.Timeout():
		return errorf(http.StatusRequestTimeout, "request_timeout", "request body not received in time")
	case errors.As(err, &maxErr):
		return errorf(http.StatusRequestEntityTooLarge, "body_too_large", "request body over %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "invalid_json", "empty request body: want a JSON object")
	case errors.As(err, &typeErr):
		return errorf(http.StatusBadRequest, "invalid_type", "field %q: want %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "invalid_json", "invalid JSON: %v", err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return unsupportedField(strings.Trim(name, `"`))
	}
	return errorf(http.StatusBadRequest, "invalid_json", "%v", err)
}

// notImplemented says why known fields that no route implements are
// refused; unknownField falls back to a generic message for the rest.
var notImplemented = map[string]string{
	"tools":               "tool calls are not implemented",
	"tool_choice":         "tool calls are not implemented",
	"parallel_tool_calls": "tool calls are not implemented",
	"functions":           "function calls are not implemented",
	"function_call":       "function calls are not implemented",
	"best_of":             "only one candidate is generated per prompt",
	"audio":               "audio output is not implemented",
	"modalities":          "only text output is implemented",
	"prediction":          "predicted outputs are not implemented",
	"reasoning_effort":    "the models served have no reasoning setting",
	"tool_calls":          "tool calls are not implemented",
	"name":                "participant names are not passed to the chat template",
	"dimensions":          "embeddings have the model's width",
}

func unsupportedField(name string) *apiError {
	why := notImplemented[name]
	if why == "" {
		why = "this server does not implement it"
	}
	return errorf(http.StatusBadRequest, "unsupported_field", "field %q is not supported: %s", name, why)
}

// limitBody caps request bodies; reading past the cap fails with
// *http.MaxBytesError, which decodeJSON answers with 413.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// samplingRequest holds the generation settings every generating route
// accepts. Pointers tell "absent" from zero.
type samplingRequest struct {
	MaxTokens     *int       `json:"max_tokens"`
	Temperature   *float32   `json:"temperature"`
	TopP          *float32   `json:"top_p"`
	TopK          *int       `json:"top_k"`
	MinP          *float32   `json:"min_p"`
	RepeatPenalty *float32   `json:"repeat_penalty"`
	Seed          *int64     `json:"seed"`
	Stop          stringList `json:"stop"`
	Stream        bool       `json:"stream"`

	FrequencyPenalty *float32  `json:"frequency_penalty"`
	PresencePenalty  *float32  `json:"presence_penalty"`
	LogitBias        logitBias `json:"logit_bias"`
}

// logitBias is OpenAI's logit_bias: token ids (as JSON object keys) to a
// bias from -100 to 100 added to the token's logit. -100 bans the token
// outright, as OpenAI documents it, rather than only making it unlikely.
type logitBias map[int32]float32

func (l *logitBias) UnmarshalJSON(b []byte) error {
	var m map[string]float32
	if err := json.Unmarshal(b, &m); err != nil {
		return badRequest("logit_bias: want an object of token ids to numbers")
	}
	*l = make(logitBias, len(m))
	for k, v := range m {
		id, err := strconv.ParseInt(k, 10, 32)
		if err != nil || id < 0 {
			return badRequest("logit_bias: key %q is not a token id", k)
		}
		if v < -100 || v > 100 {
			return badRequest("logit_bias: bias %g of token %d out of range [-100, 100]", v, id)
		}
		if v == -100 {
			v = float32(math.Inf(-1))
		}
		(*l)[int32(id)] = v
	}
	return nil
}

// defaults are the values of absent sampling fields.
type defaults struct {
	llm.SampleOptions
	MaxTokens int
}

// maxStops bounds the stop strings of one request.
const maxStops = 16

// options validates the request against limits and fills absent fields
// from d. maxTokens is the server's cap on max_tokens.
func (r *samplingRequest) options(d defaults, maxTokens int) (llm.GenerateOptions, error) {
	o := llm.GenerateOptions{SampleOptions: d.SampleOptions, MaxTokens: d.MaxTokens}
	setF := func(dst *float32, v *float32, name string, lo, hi float32, openLo bool) error {
		if v == nil {
			return nil
		}
		if *v < lo || *v > hi || (openLo && *v == lo) {
			return badRequest("%s %g out of range [%g, %g]", name, *v, lo, hi)
		}
		*dst = *v
		return nil
	}
	if err := errors.Join(
		setF(&o.Temperature, r.Temperature, "temperature", 0, 5, false),
		setF(&o.TopP, r.TopP, "top_p", 0, 1, true),
		setF(&o.MinP, r.MinP, "min_p", 0, 1, false),
		setF(&o.RepeatPenalty, r.RepeatPenalty, "repeat_penalty", 0, 10, true),
		setF(&o.FrequencyPenalty, r.FrequencyPenalty, "frequency_penalty", -2, 2, false),
		setF(&o.PresencePenalty, r.PresencePenalty, "presence_penalty", -2, 2, false),
	); err != nil {
		return o, badRequest("%v", err)
	}
	if r.TopK != nil {
		if *r.TopK < 0 {
			return o, badRequest("top_k %d must be >= 0", *r.TopK)
		}
		o.TopK = *r.TopK
	}
	if r.Seed != nil {
		o.Seed = *r.Seed
	}
	if r.MaxTokens != nil {
		if *r.MaxTokens < 1 || *r.MaxTokens > maxTokens {
			return o, errorf(http.StatusBadRequest, "max_tokens_out_of_range", "max_tokens %d out of range [1, %d]", *r.MaxTokens, maxTokens)
		}
		o.MaxTokens = *r.MaxTokens
	}
	if len(r.Stop) > maxStops {
		return o, badRequest("at most %d stop strings, got %d", maxStops, len(r.Stop))
	}
	for _, s := range r.Stop {
		if s == "" {
			return o, badRequest("stop strings must not be empty")
		}
	}
	o.Stop = r.Stop
	o.LogitBias = r.LogitBias
	return o, nil
}
