package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/log"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"github.com/meshcore/meshcore/proxyid"
	"github.com/meshcore/meshcore/proxyid/xdsnode"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// Server is an aggregated discovery (ADS) server that gives every proxy the
// snapshot of its own mesh.
//
// The snapshot cache is keyed by the canonical proxy ID. A proxy's first
// request on a stream tells the server its node; the server resolves the ID
// once, against the configured meshes (see identify), rewrites the node's ID
// to the canonical one, and sets that proxy's snapshot to its mesh's (one
// shared snapshot per mesh and client kind). On Reload every connected proxy gets its mesh's new snapshot;
// when a proxy's last stream closes its entry is cleared.
type Server struct {
	log          *slog.Logger
	allowRemoval bool
	hash         xdsnode.NodeHash // no Exists: node IDs are canonical once streamRequest has seen them
	cache        cachev3.SnapshotCache
	grpc         *grpc.Server
	ctx          context.Context // ends every xDS stream when cancelled
	cancel       context.CancelFunc
	stop         sync.Once

	reload sync.Mutex // serializes Reload, so the last config wins

	mu      sync.Mutex // guards the fields below and orders SetSnapshot calls
	world   *world     // guarded by reload
	meshes  map[string]*meshBuild
	none    *meshBuild // for proxies of a mesh that is not configured
	report  Report
	streams map[streamKey]*stream // open streams whose proxy is identified
	proxies map[string]*proxy     // cache key → proxy
	logged  map[string]struct{}   // node IDs refused or warned about since the last reload
	nacks   map[nackKey]struct{}  // NACKs logged
}

type streamKey struct {
	delta bool // SotW and delta streams are numbered apart
	id    int64
}

// stream is one xDS stream of an identified proxy.
type stream struct {
	proxy string                  // cache key: the canonical proxy ID
	sent  map[string]sentResponse // type URL → the last response sent
}

// sentResponse is what a request's response_nonce refers to.
type sentResponse struct{ nonce, version string }

type proxy struct {
	id    proxyid.ID
	envoy bool
	// raw is the node ID as the proxy's first stream sent it. When it is not
	// the canonical ID (a legacy ID), or no reading of it was configured,
	// every reload resolves it again: a reload can make it ambiguous.
	raw     string
	recheck bool
	// blocked: the ID no longer resolves to id alone; the proxy gets an
	// empty snapshot, never another mesh's, until it reconnects.
	blocked bool
	streams int
	// acked and nacked are by type URL: the version last accepted, and the
	// version last rejected since (cleared when a newer version is accepted).
	acked  map[string]string
	nacked map[string]Nack
}

// Nack is a response version a proxy rejected, with the error it gave.
type Nack struct {
	Version string `json:"version"`
	Error   string `json:"error"`
}

// Options tune New.
type Options struct {
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// AllowMeshRemoval lets Reload remove meshes that have connected proxies,
	// and load a configuration without meshes. Without it such a reload is
	// refused with ErrMeshRemoval: an empty or truncated file would otherwise
	// take every proxy's configuration away.
	AllowMeshRemoval bool
}

// ErrMeshRemoval marks a reload refused because it would remove meshes
// that proxies use (see Options.AllowMeshRemoval).
var ErrMeshRemoval = errors.New("xds: reload refused")

// New builds cfg and returns a server ready to Serve: NewInputs of
// cfg.Inputs().
func New(ctx context.Context, cfg *Config, opts Options) (*Server, error) {
	return NewInputs(ctx, cfg.Inputs(), opts)
}

// NewInputs builds in and returns a server ready to Serve. Faults of single
// services are logged and reported (see Report); an error means the
// configuration could not be built at all.
func NewInputs(ctx context.Context, in Inputs, opts Options) (*Server, error) {
	logger := opts.Logger
	allowRemoval := opts.AllowMeshRemoval
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	none, err := buildMesh("", nil, nil, nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		log:          logger,
		allowRemoval: allowRemoval,
		ctx:          sctx,
		cancel:       cancel,
		none:         none,
		streams:      make(map[streamKey]*stream),
		proxies:      make(map[string]*proxy),
		logged:       make(map[string]struct{}),
		world:        newWorld(),
		nacks:        make(map[nackKey]struct{}),
	}
	// ads=false: with ads=true, go-control-plane answers a request only when
	// it names every resource of the type in the snapshot. Envoy names them
	// all; a proxyless gRPC client names only the listener, route, cluster and
	// load assignment of the hostname it dials, and would never be answered.
	s.cache = cachev3.NewSnapshotCache(false, s.hash, cacheLogger{logger})
	callbacks := serverv3.CallbackFuncs{
		StreamRequestFunc: func(id int64, req *discoveryv3.DiscoveryRequest) error {
			nacked, err := s.request(streamKey{id: id}, req.GetNode(), req.GetTypeUrl(), req.GetResponseNonce(), req.GetErrorDetail())
			if nacked != "" {
				// go-control-plane answers a request whose version differs
				// from the snapshot's at once: a NACK, which carries the last
				// accepted version, would get the rejected version again, and
				// again. Claiming the rejected version makes the cache wait
				// for the next change of this type's content instead.
				req.VersionInfo = nacked
			}
			return err
		},
		StreamResponseFunc: func(_ context.Context, id int64, req *discoveryv3.DiscoveryRequest, resp *discoveryv3.DiscoveryResponse) {
			s.sent(streamKey{id: id}, req.GetTypeUrl(), resp.GetNonce(), resp.GetVersionInfo())
		},
		StreamClosedFunc: func(id int64, _ *corev3.Node) { s.streamClosed(streamKey{id: id}) },
		// A delta NACK needs nothing more: the cache compares the stream's
		// per-resource versions, which already hold the rejected ones, with
		// the snapshot's, so nothing is re-sent until a resource changes.
		StreamDeltaRequestFunc: func(id int64, req *discoveryv3.DeltaDiscoveryRequest) error {
			_, err := s.request(streamKey{delta: true, id: id}, req.GetNode(), req.GetTypeUrl(), req.GetResponseNonce(), req.GetErrorDetail())
			return err
		},
		StreamDeltaResponseFunc: func(id int64, req *discoveryv3.DeltaDiscoveryRequest, resp *discoveryv3.DeltaDiscoveryResponse) {
			s.sent(streamKey{delta: true, id: id}, req.GetTypeUrl(), resp.GetNonce(), resp.GetSystemVersionInfo())
		},
		DeltaStreamClosedFunc: func(id int64, _ *corev3.Node) { s.streamClosed(streamKey{delta: true, id: id}) },
	}
	s.grpc = grpc.NewServer(
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 5 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(s.grpc, serverv3.NewServer(sctx, s.cache, callbacks))
	if _, err := s.ReloadInputs(ctx, in); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// Serve serves ADS on lis until Stop. It returns nil after Stop.
func (s *Server) Serve(lis net.Listener) error {
	s.log.Info("serving ADS", "addr", lis.Addr().String())
	return s.grpc.Serve(lis)
}

// Stop ends every xDS stream (clients see the stream end and reconnect
// elsewhere), stops accepting connections and waits for the handlers to
// return, at most a few seconds. It is safe to call more than once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.cancel()
		done := make(chan struct{})
		go func() {
			s.grpc.GracefulStop()
			close(done)
		}()
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			s.grpc.Stop()
			<-done
		}
	})
}

// Reload builds cfg and pushes the new snapshot of its mesh to every connected
// proxy. On error nothing changes and the previous configuration is still
// served. ctx bounds the build (it reaches topology's secret lookups).
func (s *Server) Reload(ctx context.Context, cfg *Config) (Report, error) {
	return s.ReloadInputs(ctx, cfg.Inputs())
}

// ReloadInputs serves in: what changed from the inputs served is applied
// (see world), the meshes it touches are built again and pushed to their
// connected proxies; the other meshes' snapshots stay as they are. A reload
// that would remove meshes in use is refused (see Options.AllowMeshRemoval)
// and the previous inputs stay served.
func (s *Server) ReloadInputs(ctx context.Context, in Inputs) (Report, error) {
	s.reload.Lock()
	defer s.reload.Unlock()
	// Refused before any work; checked again below, once applied.
	s.mu.Lock()
	err := s.checkRemoval(in.Meshes)
	s.mu.Unlock()
	if err != nil {
		return Report{}, err
	}
	builds, report, rebuilt, err := s.world.apply(ctx, in)
	if err != nil {
		return Report{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Proxies connect while the world is applied (s.mu is not held): check
	// again against those now connected.
	if err := s.checkRemoval(in.Meshes); err != nil {
		s.world.reset() // it holds inputs that are not served: the next apply starts over
		return Report{}, err
	}
	s.logReport(report, rebuilt)
	old := s.meshes
	s.meshes = builds
	s.report = report
	clear(s.logged) // the meshes decide how an ID reads
	pushed := 0
	for _, key := range sortedKeys(s.proxies) {
		p := s.proxies[key]
		blockedChanged := s.recheck(p)
		if mesh := p.id.Mesh(); old != nil && old[mesh] == builds[mesh] && !blockedChanged {
			continue // unchanged, or still not configured
		}
		pushed++
		if err := s.cache.SetSnapshot(s.ctx, key, s.snapshotOf(p)); err != nil {
			s.log.Error("push snapshot", "proxy", key, "err", err)
		}
	}
	s.log.Info("config loaded", "meshes", len(report.Meshes), "rebuilt", len(rebuilt), "proxies", len(s.proxies), "pushed", pushed, "errors", len(report.Errors))
	return report, nil
}

// checkRemoval refuses a reload to builds that has no meshes while meshes
// are served, or that removes a mesh with connected proxies, unless removal
// is allowed. The error names every mesh it would drop. s.mu is held.
func (s *Server) checkRemoval(meshes []string) error {
	if s.allowRemoval || s.meshes == nil {
		return nil
	}
	connected := make(map[string]int)
	for _, p := range s.proxies {
		connected[p.id.Mesh()]++
	}
	var drops []string
	for _, m := range sortedKeys(s.meshes) {
		if slices.Contains(meshes, m) || (len(meshes) > 0 && connected[m] == 0) {
			continue
		}
		drops = append(drops, fmt.Sprintf("%q (%d connected proxies)", m, connected[m]))
	}
	switch {
	case len(drops) == 0:
		return nil
	case len(meshes) == 0:
		return fmt.Errorf("%w: the new configuration has no meshes; it would drop every mesh: %s (-allow-mesh-removal allows it)",
			ErrMeshRemoval, strings.Join(drops, ", "))
	}
	return fmt.Errorf("%w: it would drop meshes with connected proxies: %s (-allow-mesh-removal allows it)",
		ErrMeshRemoval, strings.Join(drops, ", "))
}

// Report is the report of the configuration being served.
func (s *Server) Report() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.report
}

// Proxies returns the IDs of the connected proxies, sorted.
func (s *Server) Proxies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.proxies)
}

// streamRequest is request for a request that acknowledges nothing.
func (s *Server) streamRequest(key streamKey, node *corev3.Node) error {
	_, err := s.request(key, node, "", "", nil)
	return err
}

// request sees every request before the cache does. On a stream's first
// request it resolves the proxy's identity, once, and registers the proxy
// with its mesh's snapshot; on every request that carries the node it sets
// node.Id to the canonical ID. go-control-plane keeps the first request's
// node for the stream and keys every watch by it, so the cache sees the
// canonical ID only, and the hash is a plain lookup.
//
// A request that answers the stream's last response of its type is an ACK
// or, with errorDetail, a NACK: both are recorded for the proxy, and a NACK
// returns the rejected version.
func (s *Server) request(key streamKey, node *corev3.Node, typeURL, nonce string, errorDetail *rpcstatus.Status) (nacked string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.streams[key]
	if ok {
		if node != nil {
			node.Id = st.proxy
		}
		return s.ack(st, typeURL, nonce, errorDetail), nil
	}
	raw := node.GetId()
	id, err := s.identify(raw)
	if err != nil {
		return "", err
	}
	ck := id.String()
	node.Id = ck
	p, ok := s.proxies[ck]
	if !ok {
		_, configured := s.meshes[id.Mesh()]
		p = &proxy{
			id: id, envoy: node.GetUserAgentName() == "envoy", raw: raw, recheck: raw != ck || !configured,
			acked: map[string]string{}, nacked: map[string]Nack{},
		}
		s.proxies[ck] = p
		if err := s.cache.SetSnapshot(s.ctx, ck, s.snapshotOf(p)); err != nil {
			delete(s.proxies, ck)
			return "", status.Errorf(codes.Internal, "xds: set snapshot: %v", err)
		}
		if _, ok := s.meshes[id.Mesh()]; ok {
			s.log.Info("proxy connected", "proxy", ck, "mesh", id.Mesh(), "name", id.Name(), "envoy", p.envoy)
		} else {
			s.log.Warn("proxy of an unknown mesh connected; it gets an empty snapshot", "proxy", ck, "mesh", id.Mesh())
		}
	}
	p.streams++
	s.streams[key] = &stream{proxy: ck, sent: map[string]sentResponse{}}
	return "", nil
}

// identify reads the proxy ID a node sent, with the configured meshes as the
// ones that exist (proxyid.Resolve), so a legacy ID "aa.a.web-1.ns" written
// for mesh "aa.a" is served mesh "aa.a" when that is its only existing
// reading, and refused when mesh "aa" exists too: serving it either mesh
// could be serving it another mesh's configuration. An ID none of whose
// readings is a configured mesh is read strictly (proxyid.Parse); its proxy
// gets an empty snapshot until its mesh is configured. s.mu is held.
func (s *Server) identify(raw string) (proxyid.ID, error) {
	id, err := proxyid.Resolve(raw, s.configured)
	var re *proxyid.ResolveError
	switch {
	case errors.Is(err, proxyid.ErrNotFound):
		id, err = proxyid.Parse(raw)
	case errors.As(err, &re) && errors.Is(err, proxyid.ErrAmbiguous):
		ids := make([]string, len(re.Candidates))
		for i, c := range re.Candidates {
			ids[i] = strconv.Quote(c.String())
		}
		msg := fmt.Sprintf("xds: node ID %q: %v; set the node ID to the canonical ID of the proxy meant: %s",
			raw, err, strings.Join(ids, " or "))
		if s.once(raw) {
			s.log.Error("proxy refused: its node ID reads as proxies of several configured meshes", "node", raw, "err", msg)
		}
		return proxyid.ID{}, status.Error(codes.InvalidArgument, msg)
	}
	if err != nil {
		if s.once(raw) {
			s.log.Warn("proxy refused", "node", raw, "err", err)
		}
		return proxyid.ID{}, status.Errorf(codes.InvalidArgument, "xds: node ID %q: %v", raw, err)
	}
	if ck := id.String(); ck != raw && s.once(raw) {
		s.log.Warn("legacy node ID of a dotted mesh: served its mesh; set the node ID to the escaped ID",
			"node", raw, "mesh", id.Mesh(), "name", id.Name(), "id", ck)
	}
	return id, nil
}

// recheck resolves again, against the meshes now configured, the legacy ID
// of a proxy identified on an earlier configuration, and blocks the proxy
// when the ID no longer reads as its identity alone. It reports whether the
// proxy's blocked state changed. s.mu is held.
func (s *Server) recheck(p *proxy) bool {
	if !p.recheck {
		return false
	}
	id, err := proxyid.Resolve(p.raw, s.configured)
	blocked := (err == nil && id != p.id) || errors.Is(err, proxyid.ErrAmbiguous)
	if blocked && s.once(p.raw) {
		s.log.Error("connected proxy blocked: the new configuration reads its legacy node ID differently; it is served nothing until it reconnects with its canonical ID",
			"node", p.raw, "proxy", p.id.String(), "err", err)
	}
	changed := blocked != p.blocked
	p.blocked = blocked
	return changed
}

// configured reports whether id's mesh is served. s.mu is held.
func (s *Server) configured(id proxyid.ID) bool {
	_, ok := s.meshes[id.Mesh()]
	return ok
}

// maxLogged bounds the set of node IDs already logged, so a client cycling
// through bad IDs cannot grow it without end.
const maxLogged = 4096

// once reports whether raw has not been logged about since the last reload,
// and records it. s.mu is held.
func (s *Server) once(raw string) bool {
	if _, ok := s.logged[raw]; ok {
		return false
	}
	if len(s.logged) >= maxLogged {
		clear(s.logged)
	}
	s.logged[raw] = struct{}{}
	return true
}

func (s *Server) streamClosed(key streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.streams[key]
	if !ok {
		return
	}
	delete(s.streams, key)
	ck := st.proxy
	if p := s.proxies[ck]; p != nil {
		if p.streams--; p.streams == 0 {
			delete(s.proxies, ck)
			s.cache.ClearSnapshot(ck)
			s.log.Info("proxy disconnected", "proxy", ck)
		}
	}
}

// snapshotOf is the snapshot p gets. s.mu is held.
func (s *Server) snapshotOf(p *proxy) *cachev3.Snapshot {
	b, ok := s.meshes[p.id.Mesh()]
	if !ok || p.blocked {
		b = s.none
	}
	if p.envoy {
		return b.envoy
	}
	return b.proxyless
}

func (s *Server) logReport(r Report, rebuilt []string) {
	for _, m := range r.Meshes {
		if !slices.Contains(rebuilt, m.Mesh) {
			continue
		}
		s.log.Info("mesh built", "mesh", m.Mesh, "version", m.Version, "clusters", m.Clusters, "hosts", len(m.Hosts), "errors", len(m.Errors))
		for _, sk := range m.EnvoyOnly {
			s.log.Info("MeshExternalService served to Envoy only", "mesh", m.Mesh, "name", sk.Service, "reason", sk.Reason)
		}
	}
	for _, e := range r.Errors {
		s.log.Warn("MeshExternalService not served", "mesh", e.Mesh, "name", e.Name, "field", e.Field, "err", e)
	}
}

// cacheLogger passes go-control-plane's cache log to slog at debug level
// (warnings and errors at their own levels).
type cacheLogger struct{ l *slog.Logger }

var _ log.Logger = cacheLogger{}

func (c cacheLogger) Debugf(format string, args ...any) { c.log(slog.LevelDebug, format, args) }
func (c cacheLogger) Infof(format string, args ...any)  { c.log(slog.LevelDebug, format, args) }
func (c cacheLogger) Warnf(format string, args ...any)  { c.log(slog.LevelWarn, format, args) }
func (c cacheLogger) Errorf(format string, args ...any) { c.log(slog.LevelError, format, args) }

func (c cacheLogger) log(level slog.Level, format string, args []any) {
	if c.l.Enabled(context.Background(), level) {
		c.l.Log(context.Background(), level, "cache: "+fmt.Sprintf(format, args...))
	}
}
