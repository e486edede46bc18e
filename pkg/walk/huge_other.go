//go:build !linux

package walk

// hugePages is a no-op where transparent huge pages are not asked for.
func hugePages([]byte) {}
