package naming

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshcore/meshcore/internal/golden"
)

func auditInput() []Named {
	return []Named{
		{KindMeshService, "Backend"},
		{KindMesh, "default"},
		{KindMesh, "aa.a"},
		{KindMeshService, "backend"}, // compliant: "Backend" must not take it
		{KindDataplane, "2048-app-7c5f756499-l9p2m.kuma-demo"},
		{KindMeshService, "backend_"}, // would also become "backend"
		{KindDataplane, "Web_1"},      // breaks the base rule: rejected already
		{KindZone, "1zone"},
		{KindMesh, "aa.a"}, // listed twice (say, two meshes' views)
		{KindMeshExternalService, "api.example.com"},
		{KindMeshService, "aa.a"}, // same name, another kind: no collision with the Mesh
	}
}

func TestAudit(t *testing.T) {
	rep := Audit(DefaultPolicy(Warn), auditInput())
	want := Report{
		From:    Warn,
		Checked: 11,
		Findings: []Finding{
			{Kind: KindDataplane, Name: "Web_1", Rule: DNS1123Subdomain, Message: MsgDNS1123SubdomainFormat, Suggestion: "web-1"},
			{Kind: KindMesh, Name: "aa.a", Rule: DNS1035Label, Message: MsgDNS1035LabelFormat, Suggestion: "aa-a", NewlyRejected: true},
			{Kind: KindMesh, Name: "aa.a", Rule: DNS1035Label, Message: MsgDNS1035LabelFormat, Suggestion: "aa-a", NewlyRejected: true},
			{Kind: KindMeshExternalService, Name: "api.example.com", Rule: DNS1035Label, Message: MsgDNS1035LabelFormat, Suggestion: "api-example-com", NewlyRejected: true},
			{Kind: KindMeshService, Name: "Backend", Rule: DNS1035Label, Message: MsgDNS1123SubdomainFormat + "; " + MsgDNS1035LabelFormat, Suggestion: "backend-" + hashOf("Backend")},
			{Kind: KindMeshService, Name: "aa.a", Rule: DNS1035Label, Message: MsgDNS1035LabelFormat, Suggestion: "aa-a", NewlyRejected: true},
			{Kind: KindMeshService, Name: "backend_", Rule: DNS1035Label, Message: MsgDNS1123SubdomainFormat + "; " + MsgDNS1035LabelFormat, Suggestion: "backend-" + hashOf("backend_")},
			{Kind: KindZone, Name: "1zone", Rule: DNS1035Label, Message: MsgDNS1035LabelFormat, Suggestion: "x-1zone", NewlyRejected: true},
		},
	}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Fatalf("Audit (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings {
		assert.True(t, DefaultPolicy(Enforce).Validate(f.Kind, f.Suggestion, Create).Allowed(), "%+v", f)
	}

	// The order of the input does not matter.
	in := auditInput()
	slices.Reverse(in)
	if diff := cmp.Diff(rep, Audit(DefaultPolicy(Warn), in)); diff != "" {
		t.Errorf("Audit of reversed input (-first +reversed):\n%s", diff)
	}

	checkGolden(t, "audit.golden", rep.String())
}

func TestAuditModes(t *testing.T) {
	// What is newly rejected depends on where the policy is now.
	for mode, want := range map[Mode]bool{Off: true, Warn: true, EnforceOnCreate: true, Enforce: false} {
		rep := Audit(DefaultPolicy(mode), []Named{{KindMesh, "aa.a"}, {KindMesh, "ok"}})
		require.Len(t, rep.Findings, 1, mode)
		assert.Equal(t, want, rep.Findings[0].NewlyRejected, mode)
		assert.Equal(t, mode, rep.From)
	}
	assert.Empty(t, Audit(DefaultPolicy(Warn), nil).Findings)
	assert.Equal(t, "naming: 0 of 0 names rejected by enforce (from warn)", Audit(DefaultPolicy(Warn), nil).String())
}

// TestAuditHashCollision: a compliant name that equals the hashed suggestion
// pushes the suggestion to the salted hash.
func TestAuditHashCollision(t *testing.T) {
	hashed := suggest(DNS1035Label, "Mesh", true, 0)
	rep := Audit(DefaultPolicy(Warn), []Named{{KindMesh, "Mesh"}, {KindMesh, "mesh"}, {KindMesh, hashed}})
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, suggest(DNS1035Label, "Mesh", true, 1), rep.Findings[0].Suggestion)
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}
