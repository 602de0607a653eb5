// Package server is codeloom's HTTP front end: a gin REST API with
// OpenAI-compatible routes, Server-Sent Events streaming, bearer-key auth,
// Prometheus metrics, per-request LoRA adapters and an embedded web page.
//
// It serves every base model and adapter found in a model store folder
// (see Scan), loads models on first use and keeps at most a few loaded.
// It never touches cgo: the engine arrives through the Engine interface,
// which package server/engine implements over the bindings package.
//
//	srv, err := server.New(server.Options{Engine: engine.New(engine.Options{}), ModelsDir: "models"})
//	if err != nil { ... }
//	defer srv.Close()
//	http.ListenAndServe("127.0.0.1:8000", srv.Handler())
package server
