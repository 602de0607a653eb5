package bindings

// Session is a model with one context and, optionally, an adapter set on
// that context: what a command that runs one model (generate, eval, the
// pipeline's evaluation and sample) works with. Close releases all three in
// the right order.
type Session struct {
	Model   *Model
	Context *Context
	Adapter *Adapter // nil when the session has none
	Scale   float32  // Adapter's scale
}

// SessionParams say how a Session loads its model, makes its context and
// which adapter it sets.
type SessionParams struct {
	Model   ModelParams
	Context ContextParams
	Adapter string  // LoRA adapter file; "" for none
	Scale   float32 // adapter scale
}

// OpenSession loads the model file at path, makes a context and, when
// p.Adapter is not "", loads that adapter and sets it at p.Scale.
func OpenSession(path string, p SessionParams) (*Session, error) {
	m, err := LoadModel(path, p.Model)
	if err != nil {
		return nil, err
	}
	s := &Session{Model: m, Scale: p.Scale}
	if s.Context, err = m.NewContext(p.Context); err != nil {
		s.Close()
		return nil, err
	}
	if p.Adapter != "" {
		if s.Adapter, err = LoadAdapter(m, p.Adapter); err != nil {
			s.Close()
			return nil, err
		}
		s.Context.SetAdapter(s.Adapter, p.Scale)
	}
	return s, nil
}

// Close frees the context before the adapter and the model it uses.
func (s *Session) Close() {
	s.Context.Close()
	s.Adapter.Close()
	s.Model.Close()
}
