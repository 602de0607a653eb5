package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
