package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	invalid := filepath.Join(dir, "invalid.yaml")
	require.NoError(t, os.WriteFile(invalid, []byte("meshes: [aa, aa]"), 0o600))
	sample := filepath.Join("testdata", "config.yaml")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-bogus"}, "xds: flag provided but not defined: -bogus (see -h)"},
		{"no config", []string{"-addr", "127.0.0.1:0"}, "xds: -config or -manifests is required (see -h)"},
		{"both inputs", []string{"-config", sample, "-manifests", dir}, "xds: -config and -manifests exclude each other (see -h)"},
		{"argument", []string{"-config", sample, "extra"}, `xds: unexpected argument "extra" (see -h)`},
		{"bad duration", []string{"-config", sample, "-poll", "soon"}, `xds: invalid value "soon" for flag -poll: parse error (see -h)`},
		{"negative poll", []string{"-config", sample, "-poll", "-1s"}, "xds: -poll -1s is negative"},
		{"log level", []string{"-config", sample, "-log-level", "loud"}, `xds: -log-level "loud" is not debug, info, warn or error`},
		{"unreadable config", []string{"-config", filepath.Join(dir, "nope.yaml")}, "xds: read config: open " + filepath.Join(dir, "nope.yaml") + ": no such file or directory"},
		{"invalid config", []string{"-config", invalid}, `xds: invalid config: meshes[1]: mesh "aa" is listed twice (also meshes[0]) (in ` + invalid + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(tc.args, &stderr, nil, func(net.Addr, net.Addr) { t.Error("listened") })
			assert.Equal(t, exitUsage, code)
			assert.Equal(t, tc.want+"\n", stderr.String())
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, exitOK, run([]string{"-h"}, &stderr, nil, nil))
	assert.Contains(t, stderr.String(), "usage: xds (-config FILE")
	assert.Contains(t, stderr.String(), "-manifests directory")
	assert.Contains(t, stderr.String(), "-poll interval")
}

func TestRunListenError(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer lis.Close()
	var stderr bytes.Buffer
	code := run([]string{"-addr", lis.Addr().String(), "-config", filepath.Join("testdata", "config.yaml"), "-log-level", "error"}, &stderr, nil, nil)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr.String(), "address already in use")
}

// startRun runs the command in a goroutine, as main would, with sigs as its
// signals. It returns the command's log and its exit code (when it returns).
func startRun(t *testing.T, sigs chan os.Signal, args ...string) (*syncBuffer, <-chan int) {
	t.Helper()
	logs, code, _, _ := startRunAdmin(t, sigs, args...)
	return logs, code
}

// startRunAdmin is startRun that also returns the ADS address and the admin
// server's, or nil without -admin.
func startRunAdmin(t *testing.T, sigs chan os.Signal, args ...string) (*syncBuffer, <-chan int, net.Addr, net.Addr) {
	t.Helper()
	var ads, admin net.Addr
	logs := &syncBuffer{}
	addr := make(chan net.Addr, 1)
	code := make(chan int, 1)
	go func() {
		code <- run(append([]string{"-addr", "127.0.0.1:0"}, args...), logs, sigs, func(a, adm net.Addr) {
			admin = adm
			addr <- a
		})
	}()
	select {
	case a := <-addr:
		ads = a
		assert.Equal(t, "127.0.0.1", a.(*net.TCPAddr).IP.String())
	case c := <-code:
		t.Fatalf("run returned %d before listening:\n%s", c, logs.String())
	}
	return logs, code, ads, admin
}

func waitLog(t *testing.T, logs *syncBuffer, substr string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), substr) }, 10*time.Second, 5*time.Millisecond,
		"log never had %q:\n%s", substr, logs.String())
}

func TestRunSignals(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := filepath.Join(t.TempDir(), "config.yaml")
	sample, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, sample, 0o600))

	sigs := make(chan os.Signal)
	logs, code := startRun(t, sigs, "-config", path)
	waitLog(t, logs, `msg="MeshExternalService not served" mesh=aa.a name=payments`)

	sigs <- syscall.SIGHUP
	waitLog(t, logs, `msg=reloaded why=SIGHUP`)

	// A file that no longer loads is logged; the server keeps running.
	require.NoError(t, os.WriteFile(path, []byte("meshes: ["), 0o600))
	sigs <- syscall.SIGHUP
	waitLog(t, logs, `msg="reload failed; serving the previous config" why=SIGHUP`)

	sigs <- syscall.SIGTERM
	assert.Equal(t, exitOK, <-code)
	assert.Contains(t, logs.String(), `msg="shutting down" signal=terminated`)
}

func TestRunPollsConfigFile(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("meshes: [aa]"), 0o600))

	sigs := make(chan os.Signal)
	logs, code := startRun(t, sigs, "-config", path, "-poll", "5ms")
	require.NoError(t, os.WriteFile(path, []byte("meshes: [aa, aa.a]"), 0o600))
	waitLog(t, logs, `msg=reloaded why="config file changed"`)
	assert.Contains(t, logs.String(), `msg="config loaded" meshes=2`)

	sigs <- syscall.SIGINT
	assert.Equal(t, exitOK, <-code)
}
