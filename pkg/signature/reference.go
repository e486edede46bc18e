package signature

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// urlRef is a web address a reader can open.
	urlRef = regexp.MustCompile(`https?://[^\s;,()]+`)
	// repoRef is "owner/repo path": a public repository followed by a
	// file or folder in it ("SigmaHQ/sigma rules/windows/x.yml",
	// "qweasader/gbn gb_kaspersky_av_detect.nasl").
	repoRef = regexp.MustCompile(`(^|[\s(:;,])[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+ +([A-Za-z0-9_.*<>{}-]+[/.][^\s;,]*|(Dockerfile|Containerfile|Makefile|Vagrantfile|Jenkinsfile|README|LICENSE|NOTICE)\b)`)
	// privateRef names material a reader of a rule cannot open: notes kept
	// outside the repository, or search-index excerpt numbers.
	privateRef = regexp.MustCompile(`(?i)kaspersky-artifacts\.md|\bresearch/|\.\./|\bshared/|code-index|find_repos|\bexcerpt ids?\b`)
)

// CheckPublicReference reports whether a reference points to a public
// source a reader can open: it must contain a URL (http:// or https://)
// or a repository and a path in it ("owner/repo path/in/repo"), and must
// not cite notes outside the repository or search-index excerpts. The
// embedded packs are held to this by their tests; a local pack may cite
// private material ("supplier audit 2026-11"), so the loader does not
// require it.
func CheckPublicReference(ref string) error {
	if m := privateRef.FindString(ref); m != "" {
		return fmt.Errorf("cites %q, which a reader cannot open: cite the public source (a URL or owner/repo path) instead", m)
	}
	if urlRef.MatchString(ref) || repoRef.MatchString(strings.TrimSpace(ref)) {
		return nil
	}
	return fmt.Errorf("names no public source: give a URL or an owner/repo path")
}
