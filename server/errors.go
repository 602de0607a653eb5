package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// apiError is an error with the HTTP status and the machine-readable code
// a client sees as {"error":{"code","message","type"}}.
type apiError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter int // seconds; sent as Retry-After when > 0
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, a ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) *apiError {
	return errorf(http.StatusBadRequest, "invalid_request", format, a...)
}

// errorType maps a status to the OpenAI error "type" so official clients
// raise their matching exception class.
func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	default:
		return "invalid_request_error"
	}
}

// writeError sends err as a JSON error; errors that are not *apiError are
// internal and answered with 500.
func writeError(c *gin.Context, err error) {
	ae := asAPIError(err)
	if ae.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	c.AbortWithStatusJSON(ae.Status, gin.H{"error": gin.H{
		"code":    ae.Code,
		"message": ae.Message,
		"type":    errorType(ae.Status),
	}})
}

func (e *apiError) withRetry(seconds int) *apiError {
	e.RetryAfter = seconds
	return e
}

// asAPIError returns err's *apiError, or a 500 one for any other error.
func asAPIError(err error) *apiError {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "internal_error", "%v", err)
	}
	return ae
}

// errShuttingDown is the cause of the contexts a shutdown cancels.
var errShuttingDown = errors.New("the server is shutting down")

func shuttingDown() *apiError {
	return errorf(http.StatusServiceUnavailable, "shutting_down", "the server is shutting down; retry on another instance").withRetry(1)
}

// waitError turns a failed wait for a model or a context into the error
// the client should see; ctx is the context the wait ran under.
//
// A model the engine refuses to load is answered 422 model_load_failed,
// as a failed adapter load is: the named file cannot be served, and
// retrying will not change that. 503 would invite retries (OpenAI's
// clients retry 408, 409, 429 and every 5xx, 500 included); 422 makes them
// raise at once with a message naming the model.
func (s *Server) waitError(ctx context.Context, m *Entry, err error) error {
	switch {
	case errors.Is(context.Cause(ctx), errShuttingDown):
		return shuttingDown()
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "timeout", "timed out waiting for the model").withRetry(1)
	case errors.Is(err, context.Canceled):
		return errorf(499, "cancelled", "request cancelled")
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return err
	}
	return errorf(http.StatusUnprocessableEntity, "model_load_failed", "model %q could not be loaded: %s", m.Name, s.redact(err.Error()))
}

// absPath finds absolute paths in messages: a slash after the start, a
// space, a quote, '(' or '=', up to a space, quote, ':', ',' or ')'.
var absPath = regexp.MustCompile(`(^|[\s"'(=])(/[^\s"':,)]+)`)

// redact rewrites the paths in a message for clients: paths in the store
// become relative to it, any other absolute path is cut to its file name.
// Clients name models by name; where the store lives on disk is the
// operator's business (and /health, which tells it, needs no key).
func (s *Server) redact(msg string) string {
	var roots []string
	for _, d := range []string{s.opt.ModelsDir, absDir(s.opt.ModelsDir), realDir(s.opt.ModelsDir)} {
		if d != "" && d != "." {
			roots = append(roots, strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator))
		}
	}
	for _, r := range roots {
		msg = strings.ReplaceAll(msg, r, "")
	}
	return absPath.ReplaceAllStringFunc(msg, func(m string) string {
		i := strings.IndexByte(m, '/')
		return m[:i] + filepath.Base(m[i:])
	})
}

func absDir(d string) string {
	a, err := filepath.Abs(d)
	if err != nil {
		return ""
	}
	return a
}

func realDir(d string) string {
	r, err := filepath.EvalSymlinks(d)
	if err != nil {
		return ""
	}
	return absDir(r)
}

// storePath is e's path as clients see it: relative to the store, or the
// file name alone for a file outside it (an adapter's base named by path).
func (s *Server) storePath(p string) string {
	for _, d := range []string{absDir(s.opt.ModelsDir), realDir(s.opt.ModelsDir)} {
		if d == "" {
			continue
		}
		if rel, err := filepath.Rel(d, absDir(p)); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}

// storeError is the error of a store that cannot be scanned, without its
// location.
func (s *Server) storeError(err error) *apiError {
	return errorf(http.StatusServiceUnavailable, "store_unavailable", "model store unavailable: %s", s.redact(err.Error()))
}
