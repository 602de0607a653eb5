package server

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

type embeddingsRequest struct {
	Input stringList `json:"input"`
	Model string     `json:"model"`
	// EncodingFormat is "float" (default) or "base64": the little-endian
	// float32s, base64-encoded, as OpenAI's clients ask for by default.
	EncodingFormat string `json:"encoding_format"`
	// User: see openaiRequest.User.
	User string `json:"user"`
}

// openaiEmbeddings serves POST /v1/embeddings: one mean-pooled, unit-length
// embedding of the model's width per input string.
func (s *Server) openaiEmbeddings(c *gin.Context) {
	var req embeddingsRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		writeError(c, badRequest("encoding_format %q: want float or base64", req.EncodingFormat))
		return
	}
	if len(req.Input) == 0 {
		writeError(c, errorf(http.StatusBadRequest, "empty_prompt", "input must be a non-empty string or array of strings"))
		return
	}
	for i, t := range req.Input {
		if strings.TrimSpace(t) == "" {
			writeError(c, errorf(http.StatusBadRequest, "empty_prompt", "input %d is empty", i))
			return
		}
	}
	s.withModel(c, req.Model, func(ctx context.Context, in *inference) (any, error) {
		vecs, tokens, err := in.lm.model.Embed(ctx, req.Input)
		if err != nil {
			return nil, err
		}
		data := make([]gin.H, len(vecs))
		for i, v := range vecs {
			var e any = v
			if req.EncodingFormat == "base64" {
				e = base64Floats(v)
			}
			data[i] = gin.H{"object": "embedding", "index": i, "embedding": e}
		}
		return gin.H{"object": "list", "data": data, "model": in.model.Name,
			"usage": gin.H{"prompt_tokens": tokens, "total_tokens": tokens}}, nil
	})
}

func base64Floats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}
