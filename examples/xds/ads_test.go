package main

import (
	"context"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Raw ADS clients on the generated stubs: what a proxy sends and receives,
// message by message, with nothing in between.

// dialADS opens a client connection to the ADS server at addr.
func dialADS(t *testing.T, addr string) discoveryv3.AggregatedDiscoveryServiceClient {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { cc.Close() })
	return discoveryv3.NewAggregatedDiscoveryServiceClient(cc)
}

// openStream opens an ADS stream that ends with the test: open is the
// client's StreamAggregatedResources (state of the world) or
// DeltaAggregatedResources (delta).
func openStream[S any](t *testing.T, open func(context.Context, ...grpc.CallOption) (S, error)) S {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	s, err := open(ctx)
	require.NoError(t, err)
	return s
}

// recv receives the next response of an ADS stream.
func recv[R any](t *testing.T, s interface{ Recv() (R, error) }) R {
	t.Helper()
	r, err := s.Recv()
	require.NoError(t, err)
	return r
}

func node(id string) *corev3.Node { return &corev3.Node{Id: id, UserAgentName: "envoy"} }
