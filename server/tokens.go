package server

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// withModel claims the named model (and one of its contexts, so these
// routes queue like the others) for fn.
func (s *Server) withModel(c *gin.Context, model string, fn func(context.Context, *inference) (any, error)) {
	ctx, cancel := s.requestContext(c.Request.Context())
	defer cancel()
	in, err := s.begin(ctx, model, "", 1)
	if err != nil {
		writeError(c, err)
		return
	}
	defer in.end()
	out, err := fn(ctx, in)
	if err != nil {
		writeError(c, engineError(ctx, err))
		return
	}
	c.JSON(http.StatusOK, out)
}

type tokenizeRequest struct {
	Content    *string `json:"content"`
	Model      string  `json:"model"`
	AddSpecial bool    `json:"add_special"` // add the model's BOS (and EOS) as generation does
	WithPieces bool    `json:"with_pieces"` // answer {id, piece} per token
}

// tokenPiece is a token with its text, as llama-server's with_pieces: a
// string, or the bytes when the piece is not valid UTF-8 on its own.
type tokenPiece struct {
	ID    int32 `json:"id"`
	Piece any   `json:"piece"`
}

// tokenize serves POST /tokenize as llama-server has it.
func (s *Server) tokenize(c *gin.Context) {
	var req tokenizeRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Content == nil {
		writeError(c, badRequest("content is required"))
		return
	}
	s.withModel(c, req.Model, func(_ context.Context, in *inference) (any, error) {
		toks, err := in.lm.model.Tokenize(*req.Content, req.AddSpecial)
		if err != nil {
			return nil, err
		}
		if !req.WithPieces {
			return gin.H{"tokens": toks}, nil
		}
		out := make([]tokenPiece, len(toks))
		for i, t := range toks {
			p := in.lm.model.Piece(t)
			out[i] = tokenPiece{ID: t, Piece: string(p)}
			if !utf8.Valid(p) {
				b := make([]int, len(p))
				for j, c := range p {
					b[j] = int(c)
				}
				out[i].Piece = b
			}
		}
		return gin.H{"tokens": out}, nil
	})
}

type detokenizeRequest struct {
	Tokens []int32 `json:"tokens"`
	Model  string  `json:"model"`
}

// detokenize serves POST /detokenize as llama-server has it. Ids outside
// the vocabulary are refused before the engine, which would abort on them.
func (s *Server) detokenize(c *gin.Context) {
	var req detokenizeRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	s.withModel(c, req.Model, func(_ context.Context, in *inference) (any, error) {
		n := in.lm.model.NumTokens()
		for _, t := range req.Tokens {
			if t < 0 || int(t) >= n {
				return nil, errorf(http.StatusBadRequest, "invalid_token", "token %d is not in model %s's vocabulary of %d tokens", t, in.model.Name, n)
			}
		}
		return gin.H{"content": in.lm.model.Detokenize(req.Tokens)}, nil
	})
}
