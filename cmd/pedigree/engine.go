package main

import (
	"errors"
	"fmt"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// loadEngine loads the embedded packs, then each --signatures path as a
// layer that adds rules or overrides embedded ones by id, checks every
// rule's examples, and compiles the engine.
func loadEngine(paths []string) (*match.Engine, error) {
	base, err := signatures.Layer()
	if err != nil {
		return nil, fmt.Errorf("embedded signatures: %w", err)
	}
	layers := []signature.Layer{base}
	for _, p := range paths {
		l, err := signature.LoadPath(p)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	set, err := signature.NewSet(layers...)
	if err != nil {
		return nil, err
	}
	eng, err := match.New(set)
	if err != nil {
		return nil, err
	}
	if errs := eng.CheckExamples(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return eng, nil
}
