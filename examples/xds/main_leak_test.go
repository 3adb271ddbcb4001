package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// server, stream, watcher and client they start is stopped.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
