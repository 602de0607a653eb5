package server_test

import (
	"net/http"
	"testing"

	"github.com/codeloom/codeloom/server"
)

func TestAuth(t *testing.T) {
	_, ts := start(t, server.Options{APIKeys: []string{"key-one", " key-two "}})
	cases := []struct {
		name, method, path, key string
		status                  int
	}{
		{"health stays open", "GET", "/health", "", 200},
		{"page stays open", "GET", "/", "", 200},
		{"no key", "GET", "/models", "", 401},
		{"wrong key", "GET", "/models", "key-three", 401},
		{"prefix of a key", "GET", "/models", "key-on", 401},
		{"first key", "GET", "/models", "key-one", 200},
		{"second key, trimmed", "GET", "/models", "key-two", 200},
		{"metrics need a key", "GET", "/metrics", "", 401},
		{"metrics with a key", "GET", "/metrics", "key-one", 200},
		{"openai models", "GET", "/v1/models", "key-two", 200},
		{"generate without key", "POST", "/generate", "", 401},
		{"completions without key", "POST", "/v1/completions", "", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, h, body := client{t: t, base: ts.URL, key: tc.key}.do(tc.method, tc.path, `{"prompt":"x","max_tokens":1}`)
			if st != tc.status {
				t.Fatalf("%d %s, want %d", st, body, tc.status)
			}
			if st == 401 && h.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
	// Only the Bearer scheme counts.
	req, _ := http.NewRequest("GET", ts.URL+"/models", nil)
	req.Header.Set("Authorization", "Basic key-one")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("basic auth accepted: %v %v", resp, err)
	}
}

func TestCORS(t *testing.T) {
	cases := []struct {
		name    string
		origins []string
		origin  string
		allowed string
	}{
		{"off by default", nil, "https://example.com", ""},
		{"allowed origin", []string{"https://app.example.com"}, "https://app.example.com", "https://app.example.com"},
		{"other origin", []string{"https://app.example.com"}, "https://evil.example.com", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := start(t, server.Options{CORSOrigins: tc.origins, APIKeys: []string{"k"}})
			req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/generate", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.allowed {
				t.Fatalf("Access-Control-Allow-Origin %q, want %q (status %d)", got, tc.allowed, resp.StatusCode)
			}
		})
	}
}
