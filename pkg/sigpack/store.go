package sigpack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// File names in a Store's directory.
const (
	bundleFile = "pack.tar.gz"
	sigFile    = "pack.tar.gz.sig"
)

// Label names the rule files of an installed pack in errors and reports.
const Label = "installed"

// Store is the directory an installed pack lives in.
type Store struct{ Dir string }

// DefaultStore is pedigree/signatures in the user's config directory.
func DefaultStore() (Store, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return Store{}, fmt.Errorf("find the user config directory for installed signatures: %w", err)
	}
	return Store{Dir: filepath.Join(dir, "pedigree", "signatures")}, nil
}

// Installed describes the pack in a Store.
type Installed struct {
	Version string
	KeyID   string
	// SHA256 is the bundle's digest, hex.
	SHA256 string
	Layer  signature.Layer
}

// Check verifies bundle and sig against keys and reads the pack in it.
func Check(bundle, sig []byte, keys []Key) (*Installed, error) {
	key, err := Verify(bundle, sig, keys)
	if err != nil {
		return nil, err
	}
	layer, version, err := Open(bundle, Label)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bundle)
	return &Installed{Version: version, KeyID: key.ID, SHA256: hex.EncodeToString(sum[:]), Layer: layer}, nil
}

// Install writes a checked pack into the store, replacing the one there.
// Each file is written under a temporary name and renamed, so a reader
// sees the old pack or the new one; the signature goes last, so an
// interrupted install fails verification rather than passing.
func (s Store) Install(bundle, sig []byte) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("install signatures: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{bundleFile, bundle}, {sigFile, sig}} {
		tmp, err := os.CreateTemp(s.Dir, f.name+".*")
		if err != nil {
			return fmt.Errorf("install signatures: %w", err)
		}
		_, werr := tmp.Write(f.data)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("install signatures: %w", err)
		}
		if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, f.name)); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("install signatures: %w", err)
		}
	}
	return nil
}

// Load reads and verifies the installed pack; it returns nil, nil when
// none is installed. A pack that no longer verifies is an error naming
// the store, never silently skipped.
func (s Store) Load(keys []Key) (*Installed, error) {
	bundle, err := os.ReadFile(filepath.Join(s.Dir, bundleFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("installed signatures %s: %w", s.Dir, err)
	}
	sig, err := os.ReadFile(filepath.Join(s.Dir, sigFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("installed signatures %s: %w", s.Dir, err)
	}
	in, err := Check(bundle, sig, keys)
	if err != nil {
		return nil, fmt.Errorf("installed signatures %s: %w (run pedigree signatures update, or signatures remove to use the built-in pack)", s.Dir, err)
	}
	return in, nil
}

// Remove deletes the installed pack, and reports whether there was one.
func (s Store) Remove() (bool, error) {
	var errs []error
	removed := false
	for _, name := range []string{sigFile, bundleFile} {
		err := os.Remove(filepath.Join(s.Dir, name))
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("remove installed signatures: %w", err)
	}
	return removed, nil
}

// Fetch reads a bundle and its signature (the same name plus ".sig") from
// a file or an http(s) URL, each at most MaxBundleBytes.
func Fetch(ctx context.Context, src string) (bundle, sig []byte, err error) {
	if bundle, err = fetch(ctx, src); err != nil {
		return nil, nil, err
	}
	sig, err = fetch(ctx, src+".sig")
	if errors.Is(err, fs.ErrNotExist) {
		return bundle, nil, nil // Verify says the pack is not signed
	}
	return bundle, sig, err
}

func fetch(ctx context.Context, src string) ([]byte, error) {
	var r io.ReadCloser
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", src, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", src, err)
		}
		if resp.StatusCode == http.StatusNotFound {
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %w", src, fs.ErrNotExist)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %s", src, resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(src)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("read %s: %w", src, err)
		}
		r = f
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxBundleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	if len(data) > MaxBundleBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", src, MaxBundleBytes)
	}
	return data, nil
}
