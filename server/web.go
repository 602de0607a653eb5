package server

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// page holds the web page. Only the listed files are embedded, so the
// optional npm test harness beside them never ends up in the binary.
//
//go:embed web/index.html web/assets/*.js web/assets/*.css
var page embed.FS

// webHandler serves the page at / and its files under /assets/.
func webHandler() gin.HandlerFunc {
	sub, err := fs.Sub(page, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServer(http.FS(sub))
	return func(c *gin.Context) {
		// FileServer's own 404 is plain text; every error of the server is JSON.
		if f := strings.TrimPrefix(c.Request.URL.Path, "/"); f != "" {
			if _, err := fs.Stat(sub, f); err != nil {
				writeError(c, errorf(http.StatusNotFound, "not_found", "no file %s", c.Request.URL.Path))
				return
			}
		}
		c.Header("Cache-Control", "no-cache")
		files.ServeHTTP(c.Writer, c.Request)
	}
}
