package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// writeText writes one line per finding:
//
//	SEVERITY  KIND/NAME  message  (rule)  file:line
//
// with the severity in upper case and padded so that the objects line up.
func writeText(w io.Writer, findings []finding) error {
	var b strings.Builder
	for i := range findings {
		f := &findings[i]
		fmt.Fprintf(&b, "%-7s  %s  %s  (%s)", strings.ToUpper(string(f.Severity)), f.object(), f.Message, f.Rule)
		if f.File != "" {
			b.WriteString("  ")
			b.WriteString(f.File)
			if f.Line > 0 {
				b.WriteString(":")
				b.WriteString(strconv.Itoa(f.Line))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON writes the findings as a JSON array (an empty one when there are
// none), one object per finding, in the same order as the text output.
func writeJSON(w io.Writer, findings []finding) error {
	if findings == nil {
		findings = []finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // messages quote templates and labels; keep them readable
	return enc.Encode(findings)
}
