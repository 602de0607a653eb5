package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// FuzzRequests feeds arbitrary bodies to the request decoders and
// validators of every generating route: they must never panic, and every
// rejection must be a 4xx API error.
func FuzzRequests(f *testing.F) {
	for _, seed := range []string{
		`{"prompt":"x","max_tokens":5,"stop":["a"],"temperature":0.5}`,
		`{"prompt":["x"],"stop":"s","n":1,"stream_options":{"include_usage":true}}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`,
		`{"prompt":5}`, `[`, ``, `{"max_length":-1}`, `{"top_p":0}`, `{"prompt":"x"} {}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		check := func(err error) {
			var ae *apiError
			if err != nil && (!errors.As(err, &ae) || ae.Status < 400 || ae.Status >= 500) {
				t.Fatalf("body %q: %v is not a 4xx API error", body, err)
			}
		}
		decode := func(v any) error {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<10)
			return decodeJSON(c, v)
		}
		var g generateRequest
		if err := decode(&g); err != nil {
			check(err)
		} else {
			_, _, _, err := g.parse(llm.SampleOptions{}, 100)
			check(err)
		}
		var comp completionRequest
		if err := decode(&comp); err != nil {
			check(err)
		} else {
			_, err := comp.parse(100)
			check(err)
		}
		var chat chatRequest
		check(decode(&chat))
		var cl classifyRequest
		if err := decode(&cl); err == nil && len(cl.Labels) > 0 {
			check(cl.validate())
		}
	})
}
