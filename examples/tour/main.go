// Command tour replays the production incidents meshcore fixes, each in a few
// lines: what the reference control plane did, beside what meshcore does.
//
//	go run ./examples/tour
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// run writes the whole tour to w. Every section is deterministic, so the output
// is checked against testdata/tour.golden.
func run(w io.Writer) error {
	p := &printer{w: w}
	for i, section := range []func(*printer) error{
		dottedMesh,
		deprecatedName,
		exclusiveMode,
		missingSecret,
		next,
	} {
		if i > 0 {
			p.line("")
		}
		if err := section(p); err != nil {
			return err
		}
	}
	return p.err
}

// printer writes lines and keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// next points at the examples that show the same fixes inside real programs.
func next(p *printer) error {
	p.line("All four inside a real xDS control plane (go-control-plane, proven by grpc-go's own xDS client):")
	p.line("   go run ./examples/xds -addr 127.0.0.1:18000 -config examples/xds/testdata/config.yaml")
	p.line("   go test ./examples/xds -run TestE2E -v")
	p.line("And found in manifests before they are applied:")
	p.line("   go run ./examples/meshlint examples/meshlint/testdata/incidents")
	return nil
}
