package signatures

import (
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/pedigree-sbom/pedigree/pkg/sigpack"
)

// The public keys that may sign signature packs, one file per key
// (keys/ID.pub, written by pedigree signatures keygen). A release adds the
// key that will sign its successors' packs and drops keys no longer
// trusted: keys rotate by release.
//
//go:embed keys/*.pub
var keyFiles embed.FS

// TrustedKeys returns the public keys compiled into this binary.
func TrustedKeys() ([]sigpack.Key, error) {
	names, err := fs.Glob(keyFiles, "keys/*.pub")
	if err != nil {
		return nil, err
	}
	var keys []sigpack.Key
	for _, name := range names {
		data, err := keyFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		k, err := sigpack.ParsePublic(data)
		if err != nil {
			return nil, fmt.Errorf("embedded key %s: %w", name, err)
		}
		if want := k.ID + ".pub"; path.Base(name) != want {
			return nil, fmt.Errorf("embedded key %s: holds key %s (name it %s)", name, k.ID, want)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no embedded signing keys")
	}
	return keys, nil
}
