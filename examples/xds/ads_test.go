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

// sotwStream opens a state-of-the-world ADS stream that ends with the test.
func sotwStream(t *testing.T, c discoveryv3.AggregatedDiscoveryServiceClient) discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	s, err := c.StreamAggregatedResources(ctx)
	require.NoError(t, err)
	return s
}

// deltaStream opens a delta ADS stream that ends with the test.
func deltaStream(t *testing.T, c discoveryv3.AggregatedDiscoveryServiceClient) discoveryv3.AggregatedDiscoveryService_DeltaAggregatedResourcesClient {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	s, err := c.DeltaAggregatedResources(ctx)
	require.NoError(t, err)
	return s
}

func node(id string) *corev3.Node { return &corev3.Node{Id: id, UserAgentName: "envoy"} }
