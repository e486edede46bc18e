package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Artifacts. An upload that is not an SBOM (a file, an archive, an
// installer, an image archive) is an artifact when the server has a
// generator (Config.Generator): its bytes are stored as they came,
// content-addressed like an SBOM, and every evaluation inspects them
// again, as `pedigree scan FILE` would — not an SBOM generated once at
// upload, since deep inspection depends on the rules (names, domains,
// content strings, Java packages, paths): a newer pack must look at the
// bytes again to find what it newly knows. Generating is costly, so one
// artifact is evaluated at a time per server.

// maxArtifactName bounds the name an artifact is inspected under.
const maxArtifactName = 100

// artifactName is the name an artifact is written under for inspection:
// the base name of the uploaded file, with every byte but letters,
// digits and ._+- replaced by _, no leading dot, at most maxArtifactName
// bytes (the extension kept), "artifact" when nothing is left. Locations
// in findings begin with it.
func artifactName(filename string) string {
	base := filename
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			b[i] = '_'
		}
	}
	name := strings.TrimLeft(string(b), ".")
	if len(name) > maxArtifactName {
		ext := filepath.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = name[:maxArtifactName-len(ext)] + ext
	}
	if strings.Trim(name, "_") == "" {
		return "artifact"
	}
	return name
}

// writeArtifact writes data to a new temporary directory under
// artifactName(filename) and returns its path, the directory (to strip
// from messages) and a cleanup that removes both.
func writeArtifact(data []byte, filename string) (path, dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", "pedigree-artifact-")
	if err != nil {
		return "", "", nil, fmt.Errorf("write the artifact for inspection: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, artifactName(filename))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		cleanup()
		return "", "", nil, fmt.Errorf("write the artifact for inspection: %w", err)
	}
	return path, dir, cleanup, nil
}

// acquireArtifact waits for the turn to evaluate an artifact, or for ctx
// to end; release gives the turn back.
func (e *evaluator) acquireArtifact(ctx context.Context) (release func(), err error) {
	select {
	case e.artifacts <- struct{}{}:
		return func() { <-e.artifacts }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// unplace removes the temporary directory dir from messages about an
// artifact, so that they name the file as uploaded.
func unplace(msgs []string, dir string) []string {
	for i, m := range msgs {
		msgs[i] = strings.ReplaceAll(m, dir+string(filepath.Separator), "")
	}
	return msgs
}
