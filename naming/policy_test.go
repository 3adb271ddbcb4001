package naming

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	strictKinds = []Kind{KindMesh, KindZone, KindMeshService, KindMeshExternalService, KindMeshMultiZoneService}
	otherKinds  = []Kind{KindDataplane, "MeshTrafficPermission", "HostnameGenerator", "ZoneIngress"}
)

type outcome int

const (
	pass   outcome = iota // accepted, no warning
	warn                  // accepted with the deprecation warning
	reject                // rejected
)

func (o outcome) String() string { return [...]string{"pass", "warn", "reject"}[o] }

func outcomeOf(r Result) outcome {
	switch {
	case r.Err != nil:
		return reject
	case len(r.Warnings) > 0:
		return warn
	}
	return pass
}

// TestValidateModes covers every mode × op × kind × name class. The matrix is
// the specification of the modes for a name that passes the base rule but
// not its kind's stricter rule.
func TestValidateModes(t *testing.T) {
	strictMatrix := map[Mode]map[Op]outcome{
		Off:             {Create: pass, Update: pass},
		Warn:            {Create: warn, Update: warn},
		EnforceOnCreate: {Create: reject, Update: warn},
		Enforce:         {Create: reject, Update: reject},
	}
	compliant := []string{"default", "backend", "a", "mesh--1", m63}
	strictOnly := []string{"aa.a", "1mesh", "2048-app-7c5f756499-l9p2m.kuma-demo", m64, m63 + ".x", sub253}
	baseInvalid := []string{"", "Mesh", "mesh_1", "default\n", "def ault", sub254, strings.Repeat("é", 32)}

	for mode, byOp := range strictMatrix {
		p := DefaultPolicy(mode)
		for op, strictWant := range byOp {
			for _, kind := range append(append([]Kind{}, strictKinds...), otherKinds...) {
				strict := p.Rule(kind) == DNS1035Label
				t.Run(mode.String()+"/"+op.String()+"/"+string(kind), func(t *testing.T) {
					for _, name := range compliant {
						r := p.Validate(kind, name, op)
						assert.Equal(t, pass, outcomeOf(r), "%q", name)
						assert.Nil(t, r.Warnings)
						assert.True(t, r.Allowed())
					}
					for _, name := range strictOnly {
						want := pass
						if strict {
							want = strictWant
						}
						if limit := p.MaxLength[kind]; limit > 0 && len(name) > limit {
							want = reject // the length limit holds in every mode
						}
						assert.Equal(t, want.String(), outcomeOf(p.Validate(kind, name, op)).String(), "%q", name)
					}
					for _, name := range baseInvalid {
						r := p.Validate(kind, name, op)
						assert.Equal(t, reject, outcomeOf(r), "%q", name)
						wantWarnings := 0
						if strict && name != "" && strictWant == warn {
							wantWarnings = 1
						}
						assert.Len(t, r.Warnings, wantWarnings, "%q", name)
					}
				})
			}
		}
	}
}

func TestValidateWarningText(t *testing.T) {
	p := DefaultPolicy(Warn)
	for _, tc := range []struct {
		kind Kind
		name string
		want string
	}{
		{KindMesh, "aa.a", "Invalid Mesh resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: " + MsgDNS1035LabelFormat},
		{KindMeshMultiZoneService, m64, "Invalid MeshMultiZoneService resource name: '" + m64 + "'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters"},
		{KindZone, m63 + ".x", "Invalid Zone resource name: '" + m63 + ".x'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters; " + MsgDNS1035LabelFormat},
	} {
		r := p.Validate(tc.kind, tc.name, Create)
		require.NoError(t, r.Err)
		assert.Equal(t, []string{tc.want}, r.Warnings)
	}

	// A kind under the RFC 1123 label rule says so.
	p.Rules["Workload"] = DNS1123Label
	r := p.Validate("Workload", "a.b", Update)
	assert.Equal(t, []string{"Invalid Workload resource name: 'a.b'. It does not conform to the DNS format (RFC 1123). This is deprecated. Errors: must not contain dots"}, r.Warnings)
}

func TestValidateErrors(t *testing.T) {
	p := DefaultPolicy(Enforce)
	for _, tc := range []struct {
		name    string
		kind    Kind
		value   string
		want    []*FieldError
		wantMsg string
	}{
		{
			name: "strict", kind: KindMesh, value: "aa.a",
			want:    []*FieldError{{Kind: KindMesh, Field: "name", Value: "aa.a", Detail: MsgDNS1035LabelFormat}},
			wantMsg: `naming: invalid Mesh name "aa.a": ` + MsgDNS1035LabelFormat,
		},
		{
			name: "strict, length and format joined by comma", kind: KindZone, value: m63 + ".x",
			want: []*FieldError{{Kind: KindZone, Field: "name", Value: m63 + ".x", Detail: "must be no more than 63 characters, " + MsgDNS1035LabelFormat}},
		},
		{
			name: "empty", kind: KindDataplane, value: "",
			want:    []*FieldError{{Kind: KindDataplane, Field: "name", Value: "", Detail: "cannot be empty"}},
			wantMsg: `naming: invalid Dataplane name "": cannot be empty`,
		},
		{
			name: "empty strict kind: only the base error", kind: KindMesh, value: "",
			want: []*FieldError{{Kind: KindMesh, Field: "name", Value: "", Detail: "cannot be empty"}},
		},
		{
			name: "base", kind: KindDataplane, value: "Web_1",
			want:    []*FieldError{{Kind: KindDataplane, Field: "name", Value: "Web_1", Detail: MsgDNS1123SubdomainFormat}},
			wantMsg: `naming: invalid Dataplane name "Web_1": ` + MsgDNS1123SubdomainFormat,
		},
		{
			name: "base too long", kind: "Other", value: strings.Repeat("a", 254),
			want: []*FieldError{{Kind: "Other", Field: "name", Value: strings.Repeat("a", 254), Detail: MsgSubdomainTooLong}},
		},
		{
			name: "both rules", kind: KindMesh, value: "Mesh",
			want: []*FieldError{
				{Kind: KindMesh, Field: "name", Value: "Mesh", Detail: MsgDNS1123SubdomainFormat},
				{Kind: KindMesh, Field: "name", Value: "Mesh", Detail: MsgDNS1035LabelFormat},
			},
			wantMsg: `naming: invalid Mesh name "Mesh": ` + MsgDNS1123SubdomainFormat + `; invalid Mesh name "Mesh": ` + MsgDNS1035LabelFormat,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := p.Validate(tc.kind, tc.value, Update)
			assert.Nil(t, r.Warnings)
			require.Error(t, r.Err)
			var list *ErrorList
			require.True(t, errors.As(r.Err, &list))
			if diff := cmp.Diff(tc.want, list.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			var fe *FieldError
			require.True(t, errors.As(r.Err, &fe), "errors.As finds a *FieldError through the list")
			assert.Equal(t, tc.want[0], fe)
			if tc.wantMsg != "" {
				assert.Equal(t, tc.wantMsg, r.Err.Error())
			}
			assert.Equal(t, "naming: "+fe.text(), fe.Error())
		})
	}
}

func TestValidateFailsClosed(t *testing.T) {
	p := DefaultPolicy(Mode(42))
	assert.Error(t, p.Validate(KindMesh, "aa.a", Update).Err, "undefined mode acts as enforce")
	p = DefaultPolicy(EnforceOnCreate)
	assert.Error(t, p.Validate(KindMesh, "aa.a", Op(0)).Err, "undefined op acts as create")
	assert.Equal(t, "Op(0)", Op(0).String())
}

func TestPolicyRule(t *testing.T) {
	p := DefaultPolicy(Warn)
	for _, k := range strictKinds {
		assert.Equal(t, DNS1035Label, p.Rule(k), k)
	}
	for _, k := range otherKinds {
		assert.Equal(t, DNS1123Subdomain, p.Rule(k), k)
	}
	assert.Equal(t, BaseRule, Policy{}.Rule(KindMesh), "nil rules")
	assert.Equal(t, BaseRule, Policy{Rules: map[Kind]Rule{KindMesh: 0}}.Rule(KindMesh), "undefined rule")
	assert.Equal(t, DNS1123Label, Policy{Rules: map[Kind]Rule{"X": DNS1123Label}}.Rule("X"))

	// DefaultPolicy returns a fresh map each time.
	p.Rules[KindDataplane] = DNS1035Label
	assert.Equal(t, BaseRule, DefaultPolicy(Warn).Rule(KindDataplane))

	// The zero Policy applies the base rule only.
	assert.NoError(t, Policy{}.Validate(KindMesh, "aa.a", Create).Err)
	assert.Error(t, Policy{}.Validate(KindMesh, "aa_a", Create).Err)
}

func TestErrorListEdges(t *testing.T) {
	l := &ErrorList{Errors: []*FieldError{nil, {Field: "name", Value: "x", Detail: "d"}}}
	assert.Equal(t, `naming: <nil>; invalid name "x": d`, l.Error())
	assert.Equal(t, []string{"", "d"}, l.Details())
	assert.Len(t, l.Unwrap(), 1)
}

// TestValidateMaxLength: the length limit of MeshService and
// MeshExternalService names is an error in every mode, beside the
// deprecation warning; it is not repeated when the RFC 1035 rule rejects the
// name, whose error already gives the length.
func TestValidateMaxLength(t *testing.T) {
	const lengthDetail = "must not be longer than 63 characters"
	warning := "Invalid MeshExternalService resource name: '" + m64 + "'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters"
	tests := []struct {
		mode         Mode
		op           Op
		wantErrs     []string
		wantWarnings []string
	}{
		{Off, Create, []string{lengthDetail}, nil},
		{Warn, Create, []string{lengthDetail}, []string{warning}},
		{Warn, Update, []string{lengthDetail}, []string{warning}},
		{EnforceOnCreate, Create, []string{MsgLabelTooLong}, nil},
		{EnforceOnCreate, Update, []string{lengthDetail}, []string{warning}},
		{Enforce, Update, []string{MsgLabelTooLong}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+"/"+tt.op.String(), func(t *testing.T) {
			r := DefaultPolicy(tt.mode).Validate(KindMeshExternalService, m64, tt.op)
			require.Error(t, r.Err)
			assert.Equal(t, tt.wantErrs, r.Err.(*ErrorList).Details())
			assert.Equal(t, tt.wantWarnings, r.Warnings)
			for _, fe := range r.Err.(*ErrorList).Errors {
				assert.Equal(t, &FieldError{Kind: KindMeshExternalService, Field: "name", Value: m64, Detail: fe.Detail}, fe)
			}
		})
	}
	// 63 bytes pass; other kinds and a nil MaxLength have no limit; a
	// limit below the rule's own is reported beside the rule's error.
	assert.True(t, DefaultPolicy(Enforce).Validate(KindMeshService, m63, Create).Allowed())
	assert.True(t, DefaultPolicy(Off).Validate(KindMeshMultiZoneService, m64, Create).Allowed())
	assert.True(t, DefaultPolicy(Off).Validate(KindMesh, m64, Create).Allowed())
	assert.True(t, Policy{Rules: DefaultPolicy(Off).Rules}.Validate(KindMeshService, m64, Create).Allowed())
	p := Policy{Mode: Enforce, Rules: map[Kind]Rule{"Short": DNS1035Label}, MaxLength: map[Kind]int{"Short": 5}}
	r := p.Validate("Short", "ab.cdef", Create)
	assert.Equal(t, []string{"must not be longer than 5 characters", MsgDNS1035LabelFormat}, r.Err.(*ErrorList).Details())
	assert.True(t, p.Validate("Short", "abcde", Create).Allowed())
	assert.Equal(t, []string{"must not be longer than 5 characters"}, Policy{MaxLength: map[Kind]int{"Short": 5}}.Validate("Short", "abcdef", Create).Err.(*ErrorList).Details())
}
