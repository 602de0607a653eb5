package server

import (
	"net/http"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

// modelView is one row of GET /models.
type modelView struct {
	*Entry
	Path string `json:"path"` // relative to the store; hides Entry's full path
	Metrics
	Loaded bool       `json:"loaded"`
	Info   *ModelInfo `json:"info,omitempty"` // nil when neither loaded nor inspectable
	Error  string     `json:"error,omitempty"`
}

// listModels serves GET /models: every model and adapter in the store with
// its metadata, whether it is loaded, and its training metrics.
func (s *Server) listModels(c *gin.Context) {
	cat, err := s.store.catalog()
	if err != nil {
		writeError(c, s.storeError(err))
		return
	}
	loaded := s.pool.snapshot()
	out := []modelView{}
	for _, e := range cat.Sorted() {
		v := modelView{Entry: e, Path: s.storePath(e.Path), Metrics: ReadMetrics(s.opt.ModelsDir, e.Name)}
		info, ok := loaded[e.Name]
		v.Loaded = ok && e.Kind == KindModel
		switch {
		case s.opt.Inspect != nil: // the same source for every row, loaded or not
			if in, err := s.opt.Inspect(e.Path); err != nil {
				v.Error = s.redact(err.Error())
			} else {
				v.Info = &in
			}
		case v.Loaded:
			v.Info = &info
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"models": out, "dir": filepath.Base(absDir(s.opt.ModelsDir))})
}
