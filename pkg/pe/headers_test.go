package pe

import (
	"bytes"
	"io"
	"testing"
)

func TestOverlay(t *testing.T) {
	data := []byte("0123456789")
	o := overlay{data: data, patch: []byte("abc"), at: 4}
	tests := []struct {
		off  int64
		n    int
		want string
		err  error
	}{
		{0, 10, "0123abc789", nil},
		{0, 4, "0123", nil},
		{5, 2, "bc", nil},
		{6, 4, "c789", nil},
		{7, 3, "789", nil},
		{8, 5, "89", io.EOF},
		{10, 1, "", io.EOF},
	}
	for _, tt := range tests {
		p := make([]byte, tt.n)
		n, err := o.ReadAt(p, tt.off)
		if got := string(p[:n]); got != tt.want || err != tt.err {
			t.Errorf("ReadAt(%d bytes at %d) = %q, %v; want %q, %v", tt.n, tt.off, got, err, tt.want, tt.err)
		}
	}
	if _, err := o.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("no error for a negative offset")
	}
	if !bytes.Equal(data, []byte("0123456789")) {
		t.Error("the data changed")
	}
}
