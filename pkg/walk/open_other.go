//go:build !unix

package walk

import "os"

// openFile opens a regular file for reading.
func openFile(name string) (*os.File, error) {
	return os.Open(name)
}
