package pe

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
)

// FuzzParse checks that Parse never panics and keeps its promises: an
// error wrapping ErrNotPE comes with no Info, any other result with one,
// error messages are single lower-case lines, and Verified goes with an
// empty VerifyError. The seeds cover both PE formats' paths through the
// version resource and, with osslsigncode, signatures with an RFC 3161
// timestamp, a legacy countersignature and a nested signature.
func FuzzParse(f *testing.F) {
	version := map[string]string{
		"CompanyName":    "АО «Лаборатория Касперского»",
		"LegalCopyright": "© 2024 AO Kaspersky Lab",
		"ProductName":    "Kaspersky Anti-Virus",
		"FileVersion":    "21.3.10.391",
	}
	seeds := [][]byte{
		nil,
		[]byte("MZ"),
		[]byte("\x7fELF\x02\x01\x01\x00"),
		petest.Build(nil, nil),
		petest.Build(version, nil),
		petest.Build(map[string]string{"CompanyName": "Northwind Security Ltd", "A": "x"}, []byte("dnl-01.geo.kaspersky.com")),
	}
	if petest.Available() {
		now := time.Now()
		signed := petest.Sign(f, petest.Build(version, nil), kaspersky)
		countersigned, _ := countersign(f, signed, now.Add(-time.Hour))
		seeds = append(seeds,
			signed,
			countersigned,
			petest.SignWith(f, petest.Build(nil, nil), petest.Options{Subject: kaspersky, TimestampAt: now}).Data,
			petest.SignWith(f, petest.SignWith(f, petest.Build(version, nil), petest.Options{Subject: kaspersky, Hash: "sha1"}).Data,
				petest.Options{Subject: kaspersky, Nest: true}).Data,
		)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Parse(data)
		switch {
		case errors.Is(err, ErrNotPE):
			if info != nil {
				t.Fatalf("ErrNotPE with info %+v", info)
			}
		case err == nil && info == nil:
			t.Fatal("no error and no info")
		}
		if err != nil {
			msg := err.Error()
			if msg == "" || strings.Contains(msg, "\n") || strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] {
				t.Fatalf("error message %q: want one lower-case line without a trailing period", msg)
			}
		}
		if info == nil || info.Signature == nil {
			return
		}
		for _, s := range append([]Signature{*info.Signature}, info.Signature.Nested...) {
			if s.Verified == (s.VerifyError != "") {
				t.Fatalf("Verified %v with VerifyError %q", s.Verified, s.VerifyError)
			}
			if strings.Contains(s.VerifyError, "\n") {
				t.Fatalf("VerifyError on several lines: %q", s.VerifyError)
			}
		}
	})
}
