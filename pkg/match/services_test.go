package match

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

func serviceEngine(t *testing.T) *Engine {
	t.Helper()
	r := &signature.Rule{ID: "ZX-SVC-001", Entity: "Zorbex", Category: signature.Indicator, Severity: signature.Medium,
		Match: signature.Match{Services: []string{"ZXFS", "ZXAV[0-9]*.[0-9]*", "zorbex-supervisor"}}}
	e, err := New(&signature.Set{Rules: []*signature.Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestServices shows where service names are read from and how the globs
// compare.
func TestServices(t *testing.T) {
	e := serviceEngine(t)
	tests := []struct {
		name string
		c    model.Component
		want []string
	}{
		{"service component", model.Component{Type: "service", Name: "ZXFS"}, []string{"ZX-SVC-001 service name"}},
		{"pedigree:service property", model.Component{Properties: []model.Property{{Name: "pedigree:service", Value: "zxfs"}}}, []string{"ZX-SVC-001 service properties[pedigree:service]"}},
		{"MSI ServiceInstall", model.Component{Properties: []model.Property{{Name: "msi:ServiceInstallName", Value: "ZXAV18.0.0"}}}, []string{"ZX-SVC-001 service properties[msi:ServiceInstallName]"}},
		{"systemd unit file", model.Component{Locations: []string{"/lib/systemd/system/zorbex-supervisor.service"}}, []string{"ZX-SVC-001 service locations[0]"}},
		{"unit file name", model.Component{FileName: "zorbex-supervisor.service"}, []string{"ZX-SVC-001 service fileName"}},
		{"library named like a service", model.Component{Name: "ZXFS"}, nil},
		{"other property", model.Component{Properties: []model.Property{{Name: "description", Value: "ZXFS"}}}, nil},
		{"no version after prefix", model.Component{Type: "service", Name: "ZXAVPlayer"}, nil},
		{"longer name", model.Component{Type: "service", Name: "ZXFS2"}, nil},
		{"other unit", model.Component{Locations: []string{"/lib/systemd/system/zorbex-supervisor-x.service"}}, nil},
		{"not a unit", model.Component{Locations: []string{"/opt/zorbex/zorbex-supervisor"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kinds(e.Explain(&tt.c))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestServicesNeedPatterns: with no services patterns nothing is read.
func TestServicesNeedPatterns(t *testing.T) {
	r := &signature.Rule{ID: "ZX-NAME-001", Entity: "Zorbex", Category: signature.VendorIdentity, Severity: signature.High,
		Match: signature.Match{Names: []string{"Zorbex"}}}
	e, err := New(&signature.Set{Rules: []*signature.Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := e.Explain(&model.Component{Type: "service", Name: "Zorbex"}); len(ev) != 0 {
		t.Errorf("got %v", ev)
	}
}
