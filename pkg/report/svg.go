package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
)

// The dependency path of a finding drawn as a picture: the same tree as
// the HTML report's path list (each step one row, indented one level
// further than the step that contains it, joined by an elbow), the
// product root in bold and the component found in the severity's red.
const (
	svgRow     = 22 // px per step
	svgIndent  = 16 // px per level
	svgElbow   = 10 // px of the elbow's arm
	svgCharPx  = 7.6
	svgPad     = 6
	svgMaxText = 120 // runes of a step shown; longer ones are cut with …
)

// WritePathSVG writes c's path from the product root as an inline SVG
// image: a tree of one row per step, with the shortened part of a long
// path (Component.PathElided) as a row of its own. Every step is escaped
// text; the picture loads nothing and runs nothing. Its classes
// (path-root, path-step, path-flagged, path-elided, path-line) are styled
// by the web UI's stylesheet. A component without a path gets no picture.
func WritePathSVG(w io.Writer, c Component) error {
	steps := pathSteps(c)
	if len(steps) == 0 {
		return nil
	}
	width := 0
	for i, s := range steps {
		if px := i*svgIndent + svgElbow + int(float64(utf8.RuneCountInString(msgtext.Clip(s, svgMaxText)))*svgCharPx); px > width {
			width = px
		}
	}
	width += 2 * svgPad
	height := len(steps)*svgRow + svgPad
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="path" role="img" width="%d" height="%d" viewBox="0 0 %d %d">`, width, height, width, height)
	b.WriteString("<title>")
	xml.EscapeText(&b, []byte(strings.Join(steps, " → ")))
	b.WriteString("</title>")
	for i, s := range steps {
		x := svgPad + i*svgIndent
		y := svgPad + i*svgRow + svgRow/2
		if i > 0 {
			// The elbow from the step above: down from under its first
			// letter, then right to this step's text.
			px := svgPad + (i-1)*svgIndent + 4
			fmt.Fprintf(&b, `<path class="path-line" d="M%d %d V%d H%d" fill="none"/>`, px, y-svgRow/2+4, y, x+svgElbow-2)
			x += svgElbow
		}
		class := "path-step"
		switch {
		case pathGap(c, i):
			class = "path-elided"
		case i == len(steps)-1:
			class = "path-flagged"
		case i == 0:
			class = "path-root"
		}
		if i == 0 && i == len(steps)-1 {
			class = "path-root path-flagged"
		}
		fmt.Fprintf(&b, `<text class="%s" x="%d" y="%d" dominant-baseline="middle">`, class, x, y)
		xml.EscapeText(&b, []byte(msgtext.Clip(s, svgMaxText)))
		b.WriteString("</text>")
	}
	b.WriteString("</svg>")
	_, err := io.WriteString(w, b.String())
	return err
}
