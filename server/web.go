package server

import (
	"embed"
	"io/fs"
	"net/http"

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
		c.Header("Cache-Control", "no-cache")
		files.ServeHTTP(c.Writer, c.Request)
	}
}
