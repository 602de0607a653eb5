package server

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/codeloom/codeloom/llm"
)

// infillRequest is llama-server's /infill: the text before and after the
// gap, and an optional prompt that continues the prefix (llama-server
// places it right after input_prefix). Every /generate field but prompt's
// role is the same.
type infillRequest struct {
	InputPrefix *string `json:"input_prefix"`
	InputSuffix *string `json:"input_suffix"`
	generateRequest
}

// infill serves POST /infill: fill-in-the-middle with the model's FIM
// tokens, answered like /generate. A model without FIM tokens gets 400
// fim_unsupported.
func (s *Server) infill(c *gin.Context) {
	var req infillRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.InputPrefix == nil || req.InputSuffix == nil {
		writeError(c, badRequest("input_prefix and input_suffix are required"))
		return
	}
	scale, opt, err := req.options(*s.opt.Sampling, s.opt.MaxTokens)
	if err != nil {
		writeError(c, err)
		return
	}
	prefix := *req.InputPrefix
	if req.Prompt != nil {
		prefix += *req.Prompt
	}
	s.serveGeneration(c, &req.generateRequest, scale, opt, func(ctx context.Context, in *inference, opt llm.GenerateOptions) (*llm.Generation, error) {
		return in.infill(ctx, prefix, *req.InputSuffix, opt)
	})
}
