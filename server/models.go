package server

import (
	"net/http"
	"path/filepath"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// modelView is one row of GET /models.
type modelView struct {
	*Entry
	Path string `json:"path"` // relative to the store; hides Entry's full path
	// DefaultsError is Entry's with the store's folder left out, as Path.
	DefaultsError string `json:"defaults_error,omitempty"`
	Metrics
	Loaded bool       `json:"loaded"`
	Info   *modelInfo `json:"info,omitempty"` // nil when neither loaded nor inspectable
	Error  string     `json:"error,omitempty"`
}

// modelInfo is the part of a model's llm.ModelInfo that GET /models shows.
type modelInfo struct {
	Architecture  string `json:"architecture"`
	Params        int64  `json:"parameters"`
	ContextLength int    `json:"context_length"`
	FileType      string `json:"quantization"`
	ChatTemplate  bool   `json:"chat_template"`
}

func newModelInfo(i llm.ModelInfo) *modelInfo {
	return &modelInfo{Architecture: i.Architecture, Params: i.Params, ContextLength: i.ContextLength,
		FileType: i.FileType, ChatTemplate: i.ChatTemplate != ""}
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
		v := modelView{Entry: e, Path: s.storePath(e.Path), DefaultsError: s.redact(e.DefaultsError), Metrics: ReadMetrics(s.opt.ModelsDir, e.Name)}
		info, ok := loaded[e.Name]
		v.Loaded = ok && e.Kind == KindModel
		switch {
		case s.opt.Inspect != nil: // the same source for every row, loaded or not
			if in, err := s.opt.Inspect(e.Path); err != nil {
				v.Error = s.redact(err.Error())
			} else {
				v.Info = newModelInfo(in)
			}
		case v.Loaded:
			v.Info = newModelInfo(info)
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"models": out, "dir": filepath.Base(absDir(s.opt.ModelsDir))})
}
