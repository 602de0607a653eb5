package server

import (
	"mime"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// Without an API key anything that can reach the port may use the server,
// and that includes web pages in the user's browser. Two checks keep them
// out (with a key, the key does, and neither check runs):
//
//   - the Host header must name this machine (see allowedHost): a page of
//     evil.example whose name rebinds to 127.0.0.1 sends its own name;
//   - POST bodies must be declared application/json: a cross-site form or
//     a fetch without CORS can only send text/plain, form or multipart
//     bodies, and our decoder would read those as JSON all the same.

// checkHost is the middleware of the Host check; 403 otherwise.
func (s *Server) checkHost(c *gin.Context) {
	if s.allowedHost(c.Request) {
		c.Next()
		return
	}
	writeError(c, errorf(http.StatusForbidden, "host_not_allowed",
		"host %q is not allowed: use localhost or the server's address, or start the server with --allowed-host", c.Request.Host))
}

// allowedHost reports whether the request's Host names this machine:
// empty (HTTP/1.0), localhost or a name under .localhost, this machine's
// host name, a loopback address, the address the client connected to, or
// one of Options.AllowedHosts ("*" allows any).
func (s *Server) allowedHost(r *http.Request) bool {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if slices.Contains(s.opt.AllowedHosts, "*") || slices.ContainsFunc(s.opt.AllowedHosts, func(a string) bool { return strings.EqualFold(a, host) }) {
		return true
	}
	if name, err := os.Hostname(); err == nil && strings.EqualFold(name, host) {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false // a name: the one thing DNS rebinding controls
	}
	if ip.IsLoopback() {
		return true
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if tcp, isTCP := local.(*net.TCPAddr); ok && isTCP {
		return tcp.IP.Equal(ip)
	}
	return false
}

// requireJSON is the middleware that answers 415 to POST bodies not
// declared application/json.
func requireJSON(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	ct := c.GetHeader("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		writeError(c, errorf(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type %q: want application/json", ct))
		return
	}
	c.Next()
}

// limitHeader answers 431 with a JSON body to requests whose header is
// over limit bytes. net/http refuses larger headers itself (see
// HTTPServer), with a plain-text answer.
func limitHeader(limit int) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 4
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4 // ": " and CRLF
			}
		}
		if n > limit {
			writeError(c, errorf(http.StatusRequestHeaderFieldsTooLarge, "header_too_large",
				"request header of %d bytes, over the limit of %d", n, limit))
			return
		}
		c.Next()
	}
}

// checkOrigin answers 403 with a JSON body to cross-origin requests from
// origins CORS does not allow; gin-contrib/cors would answer them itself,
// with an empty body. Same-origin requests, which carry an Origin of this
// very host, pass as cors lets them.
func checkOrigin(allowed []string) gin.HandlerFunc {
	all := slices.Contains(allowed, "*")
	return func(c *gin.Context) {
		o := c.GetHeader("Origin")
		if o == "" || all || slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(strings.TrimSuffix(a, "/"), o) }) || o == "http://"+c.Request.Host || o == "https://"+c.Request.Host {
			c.Next()
			return
		}
		writeError(c, errorf(http.StatusForbidden, "origin_not_allowed", "origin %q is not allowed (CORS)", o))
	}
}
