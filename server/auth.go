package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// keyring checks bearer keys. Keys are kept as SHA-256 digests so every
// comparison takes the same time whatever the key's length or content.
type keyring [][sha256.Size]byte

func newKeyring(keys []string) keyring {
	var k keyring
	for _, key := range keys {
		if key = strings.TrimSpace(key); key != "" {
			k = append(k, sha256.Sum256([]byte(key)))
		}
	}
	return k
}

// allows reports whether key is one of the keys; it looks at every key
// whatever the outcome, so timing does not say which one matched.
func (k keyring) allows(key string) bool {
	got := sha256.Sum256([]byte(key))
	match := 0
	for _, want := range k {
		match |= subtle.ConstantTimeCompare(got[:], want[:])
	}
	return match == 1
}

// middleware rejects requests without a valid "Authorization: Bearer KEY";
// with no keys configured it lets everything through.
func (k keyring) middleware(c *gin.Context) {
	if len(k) == 0 || c.Request.Method == http.MethodOptions {
		c.Next()
		return
	}
	h := c.GetHeader("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !k.allows(strings.TrimSpace(key)) {
		c.Header("WWW-Authenticate", `Bearer realm="codeloom"`)
		writeError(c, errorf(http.StatusUnauthorized, "invalid_api_key", "missing or invalid API key (Authorization: Bearer KEY)"))
		return
	}
	c.Next()
}
