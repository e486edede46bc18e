package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultGrace is how long Run waits for the requests in progress when
// told to stop.
const DefaultGrace = 30 * time.Second

// Run serves the server on ln, with worker (nil for none) re-evaluating
// beside it, until ctx ends; then it takes no more requests, waits up to
// grace (DefaultGrace when zero) for those in progress, stops the worker
// (an evaluation it is recording is recorded) and returns nil. It returns
// an error if serving fails, or the requests in progress outlast grace.
func (s *Server) Run(ctx context.Context, ln net.Listener, worker *Worker, grace time.Duration) error {
	if grace <= 0 {
		grace = DefaultGrace
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelError),
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		if worker != nil {
			worker.Run(workCtx)
		}
	}()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var err error
	select {
	case err = <-served: // never http.ErrServerClosed: only Shutdown, below, closes it
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		s.log.Info("stopping: finishing the requests in progress")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
		if serr := hs.Shutdown(sctx); serr != nil {
			err = fmt.Errorf("serve: stop: %w", serr)
		}
		cancel()
	}
	stopWork()
	<-workDone
	if err == nil {
		s.log.Info("stopped")
	}
	return err
}
