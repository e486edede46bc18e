package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

// svgText is a <text> of a path picture, as parsed back.
type svgText struct {
	Class string `xml:"class,attr"`
	Text  string `xml:",chardata"`
}

type svgDoc struct {
	XMLName xml.Name  `xml:"svg"`
	Title   string    `xml:"title"`
	Texts   []svgText `xml:"text"`
	Lines   []struct {
		Class string `xml:"class,attr"`
	} `xml:"path"`
}

func TestWritePathSVG(t *testing.T) {
	for _, c := range []struct {
		name  string
		comp  Component
		texts []string // "class=text"
	}{
		{"none", Component{}, nil},
		{"root found", Component{Path: []string{"kav-sdk"}}, []string{"path-root path-flagged=kav-sdk"}},
		{"three steps", Component{Path: []string{"northwind-gateway", "scan-module", "kav-sdk 8.1"}},
			[]string{"path-root=northwind-gateway", "path-step=scan-module", "path-flagged=kav-sdk 8.1"}},
		{"shortened", Component{Path: []string{"root", "a", "y", "z"}, PathLength: 9, PathElided: 5, PathElidedAt: 2},
			[]string{"path-root=root", "path-step=a", "path-elided=… 5 more …", "path-step=y", "path-flagged=z"}},
		{"hostile text is text", Component{Path: []string{`<script>alert(1)</script>`, `a"b&c`}},
			[]string{"path-root=<script>alert(1)</script>", `path-flagged=a"b&c`}},
		{"long step is cut", Component{Path: []string{"root", strings.Repeat("x", 300)}},
			[]string{"path-root=root", "path-flagged=" + strings.Repeat("x", svgMaxText) + "…"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			if err := WritePathSVG(&b, c.comp); err != nil {
				t.Fatal(err)
			}
			if c.texts == nil {
				if b.Len() != 0 {
					t.Errorf("a component without a path got %q", b.String())
				}
				return
			}
			out := b.String()
			if strings.Contains(out, "<script") {
				t.Errorf("unescaped markup in %s", out)
			}
			var doc svgDoc
			if err := xml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, out)
			}
			var got []string
			for _, tx := range doc.Texts {
				got = append(got, tx.Class+"="+tx.Text)
			}
			if strings.Join(got, "\n") != strings.Join(c.texts, "\n") {
				t.Errorf("texts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.texts, "\n"))
			}
			if len(doc.Lines) != len(doc.Texts)-1 {
				t.Errorf("%d elbows for %d steps", len(doc.Lines), len(doc.Texts))
			}
			if !strings.HasPrefix(doc.Title, c.comp.Path[0]) {
				t.Errorf("title %q", doc.Title)
			}
		})
	}
}
