package main

import (
	"fmt"
	"os"

	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/sigpack"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// trustedKeys are the keys a signature pack must be signed with; tests add
// their own.
var trustedKeys = signatures.TrustedKeys

// packStore is where `signatures update` installs packs:
// PEDIGREE_SIGNATURES_DIR, else pedigree/signatures in the user's config
// directory.
func packStore() (sigpack.Store, error) {
	if dir := os.Getenv("PEDIGREE_SIGNATURES_DIR"); dir != "" {
		return sigpack.Store{Dir: dir}, nil
	}
	return sigpack.DefaultStore()
}

// basePack is the pack every scan starts from: the installed pack when
// one is installed, verifies, and is newer than the embedded one; else the
// embedded pack. An installed pack that does not verify is an error.
type basePack struct {
	Layer     signature.Layer
	Version   string
	Installed *sigpack.Installed // nil for the embedded pack
	// Superseded is an installed pack not newer than the embedded one
	// (the binary was upgraded since), which is therefore not used.
	Superseded *sigpack.Installed
	Dir        string
}

func embeddedBase() (basePack, error) {
	embedded, err := signatures.Layer()
	if err != nil {
		return basePack{}, fmt.Errorf("embedded signatures: %w", err)
	}
	return basePack{Layer: embedded, Version: embedded[0].Version}, nil
}

func loadBase() (basePack, error) {
	base, err := embeddedBase()
	if err != nil {
		return base, err
	}
	store, err := packStore()
	if err != nil {
		return base, nil // no config directory: nothing can be installed
	}
	keys, err := trustedKeys()
	if err != nil {
		return base, err
	}
	in, err := store.Load(keys)
	if err != nil {
		return base, err
	}
	if in != nil && sigpack.CompareVersions(in.Version, base.Version) > 0 {
		return basePack{Layer: in.Layer, Version: in.Version, Installed: in, Dir: store.Dir}, nil
	}
	base.Superseded, base.Dir = in, store.Dir
	return base, nil
}

// loadEngine loads the base pack, then each --signatures path as a layer
// that adds rules or overrides the base's by id, checks every rule's
// examples, and compiles the engine.
func loadEngine(paths []string) (*match.Engine, error) {
	base, err := loadBase()
	if err != nil {
		return nil, err
	}
	return compile(base.Layer, paths)
}

func compile(base signature.Layer, paths []string) (*match.Engine, error) {
	layers := []signature.Layer{base}
	for _, p := range paths {
		l, err := signature.LoadPath(p)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	return match.Compile(layers...)
}
