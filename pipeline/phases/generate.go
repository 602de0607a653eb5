package phases

import (
	"context"

	"github.com/codeloom/codeloom/bindings"
)

// generator completes a prompt greedily, so the sample is reproducible.
type generator struct{}

func (generator) Generate(ctx context.Context, base, adapter, prompt string, maxTokens, threads int) (string, error) {
	m, err := bindings.LoadModel(base, bindings.ModelParams{})
	if err != nil {
		return "", err
	}
	defer m.Close()
	c, err := m.NewContext(bindings.ContextParams{Threads: threads})
	if err != nil {
		return "", err
	}
	defer c.Close()
	if adapter != "" {
		a, err := bindings.LoadAdapter(m, adapter)
		if err != nil {
			return "", err
		}
		defer a.Close()
		c.SetAdapter(a, 1)
	}
	g, err := c.Generate(ctx, prompt, bindings.GenerateOptions{MaxTokens: maxTokens})
	if err != nil {
		return "", err
	}
	return g.Text, nil
}
