package fserr

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestShapes(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), "missing.json"))
	if err == nil {
		t.Fatal("opened a missing file")
	}
	for _, tc := range []struct {
		name string
		got  error
		want string
	}{
		{"Cause", Cause(err), "no such file or directory"},
		{"WithOp", WithOp(err), "cannot open: no such file or directory"},
		{"Cause wrapped", Cause(fmt.Errorf("x: %w", err)), "no such file or directory"},
		{"Cause other", Cause(errors.New("other")), "other"},
		{"WithOp other", WithOp(errors.New("other")), "other"},
	} {
		if tc.got.Error() != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !errors.Is(Cause(err), fs.ErrNotExist) || !errors.Is(WithOp(err), fs.ErrNotExist) {
		t.Error("the reason is no longer fs.ErrNotExist")
	}
	if Cause(nil) != nil || WithOp(nil) != nil {
		t.Error("nil is not kept")
	}
}
