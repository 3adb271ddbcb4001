// Command xds is a small aggregated discovery (ADS) server built from meshcore
// and go-control-plane. It serves every proxy the snapshot of its own mesh.
//
//	go run ./examples/xds -addr 127.0.0.1:18000 -admin 127.0.0.1:18001 -manifests examples/xds/testdata/manifests
//	go run ./examples/xds -addr 127.0.0.1:18000 -config examples/xds/testdata/config.yaml
//
// The inputs are a directory of Kubernetes or Universal manifests, watched
// (see [ReadManifests]: Mesh, MeshExternalService, HostnameGenerator,
// MeshService, Secret), or one configuration file (see [Config]). Per mesh,
// topology builds the egress endpoint map and the Envoy clusters with their
// load assignments (EDS over ADS); for proxyless gRPC clients every hostname
// of a service also gets an API listener and a route configuration named
// after it, so `grpc.NewClient("xds:///api.extsvc.mesh.local")` reaches it.
// Hostnames come from hostname generation: the zone's default generators
// (`{{ .DisplayName }}.extsvc.mesh.local`) and the manifests' own; a -config
// service may set one instead. A change of the inputs is applied as the
// objects that changed (see world): each mesh's egress is a topology.Egress
// and hostnames come from one hostname.Index, so deriving them costs the
// services a change touches; the Envoy resources of the meshes it touches are
// then rendered again and pushed (that part is still per mesh).
//
// The proxy's mesh comes from its node ID, resolved once per stream with
// proxyid against the configured meshes, so a proxy of mesh "aa.a" gets mesh
// "aa.a" and never mesh "aa": a legacy ID "aa.a.web-1.ns" is served mesh
// "aa.a" when that is its only configured reading, and refused
// (InvalidArgument) when mesh "aa" is configured too. A service that does not
// build (a missing secret, a bad endpoint) is logged with its error and left
// out; every other service is served.
//
// Delta xDS (DeltaAggregatedResources) is served next to state-of-the-world
// ADS, by go-control-plane's own server, from one SnapshotCache. Versions are
// content hashes, so replicas built from the same inputs agree and a proxy
// that switches replicas is sent nothing it has:
//
//   - a type's state-of-the-world version is a SHA-256 of its resources'
//     deterministic encodings, in order;
//   - a resource's delta version is go-control-plane's own: the SHA-256 of
//     its deterministic encoding (Snapshot.ConstructVersionMap, called once
//     per build). A change pushes exactly the resources whose bytes changed.
//
// SnapshotCache rather than the alternatives: LinearCache versions its
// state-of-the-world responses with a per-instance counter (two replicas
// disagree, and a proxy that switches is sent everything again) and holds one
// type for every node alike; MuxCache dispatches through a map it does not
// lock. A custom ResourceSnapshot would only recompute the same hashes.
//
// A proxy that rejects a response (NACK) is logged once per type and version
// and is not sent that version again: for state of the world the server
// tells the cache the rejected version is the proxy's, so the cache waits for
// a change; for delta the cache already holds the rejected resources'
// versions. -admin ADDR serves GET /status (see [Status]).
//
// Signals: SIGHUP re-reads the file and pushes new snapshots (so does a change
// of the file with -poll); a file that does not load is logged and the running
// configuration kept, and so is one without meshes or without a mesh that has
// connected proxies, unless -allow-mesh-removal is given. SIGINT and SIGTERM stop the server cleanly (exit 0).
// Bad flags or a configuration that does not load at start: one line on
// stderr, exit 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stderr, sigs, nil))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the server failed while running
	exitUsage = 2 // bad flags or a configuration that does not load
)

// run is the whole command: flags, inputs, server, signals. It returns the
// exit code. listening, when set, is told the bound addresses (for tests):
// ADS's, and the admin server's or nil.
func run(args []string, stderr io.Writer, sigs <-chan os.Signal, listening func(ads, admin net.Addr)) int {
	fs := flag.NewFlagSet("xds", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:18000", "`address` to serve ADS on")
	adminAddr := fs.String("admin", "", "`address` to serve GET /status on (empty: none)")
	configPath := fs.String("config", "", "configuration `file` (YAML)")
	manifests := fs.String("manifests", "", "`directory` of Kubernetes or Universal manifests, watched")
	zone := fs.String("zone", "", "local `zone`, with -manifests")
	poll := fs.Duration("poll", 0, "reload when the config file changes, checked at this `interval` (0: on SIGHUP only)")
	allowRemoval := fs.Bool("allow-mesh-removal", false, "let a reload remove meshes with connected proxies, or every mesh")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: xds (-config FILE [-poll DURATION] | -manifests DIR [-zone ZONE]) [-addr HOST:PORT] [-admin HOST:PORT] [-allow-mesh-removal] [-log-level LEVEL]")
			fs.PrintDefaults()
			return exitOK
		}
		fmt.Fprintf(stderr, "xds: %v (see -h)\n", err)
		return exitUsage
	}
	var lvl slog.Level
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "xds: unexpected argument %q (see -h)\n", fs.Arg(0))
		return exitUsage
	case *configPath == "" && *manifests == "":
		fmt.Fprintln(stderr, "xds: -config or -manifests is required (see -h)")
		return exitUsage
	case *configPath != "" && *manifests != "":
		fmt.Fprintln(stderr, "xds: -config and -manifests exclude each other (see -h)")
		return exitUsage
	case *poll < 0:
		fmt.Fprintf(stderr, "xds: -poll %v is negative\n", *poll)
		return exitUsage
	case lvl.UnmarshalText([]byte(*level)) != nil:
		fmt.Fprintf(stderr, "xds: -log-level %q is not debug, info, warn or error\n", *level)
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	// Watching starts before the first read, so a change made while the
	// server starts is seen.
	var (
		w    watch
		load func() (Inputs, error)
	)
	if *manifests != "" {
		dw, err := newDirWatch(*manifests)
		if err != nil {
			fmt.Fprintf(stderr, "xds: -manifests: %v\n", err)
			return exitUsage
		}
		w = dw
		md := newManifestDir(*manifests, *zone)
		load = func() (Inputs, error) {
			in, warnings, err := md.read()
			for _, msg := range warnings {
				logger.Warn("manifest skipped", "where", msg)
			}
			return in, err
		}
	} else {
		w = newFileWatch(*configPath, *poll)
		load = func() (Inputs, error) {
			cfg, err := LoadConfig(*configPath)
			if err != nil {
				return Inputs{}, err
			}
			return cfg.Inputs(), nil
		}
	}
	defer w.stop()
	in, err := load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	ctx := context.Background()
	srv, err := NewInputs(ctx, in, Options{Logger: logger, AllowMeshRemoval: *allowRemoval})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	defer srv.Stop()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "xds: %v\n", err)
		return exitError
	}
	var adminLis net.Listener
	if *adminAddr != "" {
		if adminLis, err = net.Listen("tcp", *adminAddr); err != nil {
			lis.Close()
			fmt.Fprintf(stderr, "xds: -admin: %v\n", err)
			return exitError
		}
	}
	if listening != nil {
		var a net.Addr
		if adminLis != nil {
			a = adminLis.Addr()
		}
		listening(lis.Addr(), a)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	if adminLis != nil {
		admin := &http.Server{Handler: srv.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
		adminDone := make(chan struct{})
		go func() {
			defer close(adminDone)
			if err := admin.Serve(adminLis); !errors.Is(err, http.ErrServerClosed) {
				logger.Error("admin server", "err", err)
			}
		}()
		logger.Info("serving status", "addr", adminLis.Addr().String())
		defer func() {
			admin.Close()
			<-adminDone
		}()
	}

	reload := func(why string) {
		in, err := load()
		if err == nil {
			_, err = srv.ReloadInputs(ctx, in)
		}
		if err != nil {
			logger.Error("reload failed; serving the previous config", "why", why, "err", err)
			return
		}
		logger.Info("reloaded", "why", why)
	}
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reload("SIGHUP")
				continue
			}
			logger.Info("shutting down", "signal", sig.String())
			srv.Stop()
			if err := <-served; err != nil {
				logger.Error("serve", "err", err)
				return exitError
			}
			return exitOK
		case <-w.changed():
			reload(w.why())
		case err := <-w.failed():
			logger.Error("watch", "err", err)
		case err := <-served:
			logger.Error("serve", "err", err)
			return exitError
		}
	}
}

// watch tells the main loop that its inputs changed.
type watch interface {
	changed() <-chan struct{}
	failed() <-chan error
	why() string
	stop()
}

// fileWatch polls a file's modification time and size.
type fileWatch struct {
	path   string
	ticker *time.Ticker
	last   os.FileInfo
	ch     chan struct{}
	done   chan struct{}
}

// newFileWatch polls path every interval; interval 0 disables it.
func newFileWatch(path string, interval time.Duration) *fileWatch {
	w := &fileWatch{path: path}
	if interval <= 0 {
		return w
	}
	w.last, _ = os.Stat(path)
	w.ticker = time.NewTicker(interval)
	w.ch = make(chan struct{})
	w.done = make(chan struct{})
	go w.loop()
	return w
}

func (w *fileWatch) loop() {
	for {
		select {
		case <-w.done:
			return
		case <-w.ticker.C:
		}
		fi, err := os.Stat(w.path)
		if err != nil || (w.last != nil && fi.ModTime().Equal(w.last.ModTime()) && fi.Size() == w.last.Size()) {
			continue
		}
		w.last = fi
		select {
		case w.ch <- struct{}{}:
		case <-w.done:
			return
		}
	}
}

// changed receives when the file changed; nil (never) when polling is off.
func (w *fileWatch) changed() <-chan struct{} { return w.ch }

func (w *fileWatch) failed() <-chan error { return nil }

func (w *fileWatch) why() string { return "config file changed" }

func (w *fileWatch) stop() {
	if w.ticker != nil {
		w.ticker.Stop()
		close(w.done)
	}
}
