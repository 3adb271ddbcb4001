package naming

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReferenceCases holds the published cases of the control plane this
// package follows, written as a table: the validator goldens of
// MeshExternalService and MeshService, and the API server's warning goldens.
// Each row names its source; the strings are the reference's, byte for byte.
func TestReferenceCases(t *testing.T) {
	tests := []struct {
		source       string
		mode         Mode
		kind         Kind
		name         string
		wantErrs     []string // the detail of each error on field "name"
		wantWarnings []string
	}{
		{
			source:   "v2.14.3 meshexternalservice validator testdata/name-too-long",
			mode:     Warn,
			kind:     KindMeshExternalService,
			name:     "external-service-very-long-very-long-very-long-very-long-very-long-very-long-very-long",
			wantErrs: []string{"must not be longer than 63 characters"},
			wantWarnings: []string{"Invalid MeshExternalService resource name: 'external-service-very-long-very-long-very-long-very-long-very-long-very-long-very-long'. " +
				"It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters"},
		},
		{
			source: "v2.14.3 meshexternalservice validator testdata/name-length-63",
			mode:   Warn,
			kind:   KindMeshExternalService,
			name:   strings.Repeat("b", 63),
		},
		{
			source:   "v2.14.3 meshservice validator_test \"name too long\"",
			mode:     Warn,
			kind:     KindMeshService,
			name:     "meshservice-too-long-too-long-too-long-too-long-too-long-too-long-too-long-too-long-too-long",
			wantErrs: []string{"must not be longer than 63 characters"},
			wantWarnings: []string{"Invalid MeshService resource name: 'meshservice-too-long-too-long-too-long-too-long-too-long-too-long-too-long-too-long-too-long'. " +
				"It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters"},
		},
		{
			source: "v2.14.3 api-server crud put_meshes_04",
			mode:   Warn,
			kind:   KindMesh,
			name:   "aa.a",
			wantWarnings: []string{"Invalid Mesh resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: " +
				"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"},
		},
		{
			source: "v2.14.3 api-server crud put_meshservice_02 (the name warning)",
			mode:   Warn,
			kind:   KindMeshService,
			name:   "aa.a",
			wantWarnings: []string{"Invalid MeshService resource name: 'aa.a'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: " +
				"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"},
		},
		{
			source: "v2.14.3 api-server crud put_meshexternalservice_02 (the name warning)",
			mode:   Warn,
			kind:   KindMeshExternalService,
			name:   "mes.http",
			wantWarnings: []string{"Invalid MeshExternalService resource name: 'mes.http'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: " +
				"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"},
		},
		{
			source: "v2.14.3 api-server crud put_meshmultizoneservice_02 (the name warning)",
			mode:   Warn,
			kind:   KindMeshMultiZoneService,
			name:   "http.bin",
			wantWarnings: []string{"Invalid MeshMultiZoneService resource name: 'http.bin'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: " +
				"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"},
		},
		{
			// MeshMultiZoneService had no length limit in 2.14: a warning only.
			source: "v2.14.3 api-server crud put_meshmultizoneservice_03 (the name warning)",
			mode:   Warn,
			kind:   KindMeshMultiZoneService,
			name:   "this-is-a-very-long-meshmultizoneservice-name-exceeding-sixty-three",
			wantWarnings: []string{"Invalid MeshMultiZoneService resource name: 'this-is-a-very-long-meshmultizoneservice-name-exceeding-sixty-three'. " +
				"It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: must be no more than 63 characters"},
		},
		{
			source:   "master 348b6528bc meshexternalservice validator testdata/name-not-rfc-1035",
			mode:     Enforce,
			kind:     KindMeshExternalService,
			name:     "1external.service",
			wantErrs: []string{"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"},
		},
		{
			// 3.0 replaced the length check by the RFC 1035 check: one error.
			source:   "master 348b6528bc meshexternalservice validator testdata/name-too-long",
			mode:     Enforce,
			kind:     KindMeshExternalService,
			name:     "external-service-very-long-very-long-very-long-very-long-very-long-very-long-very-long",
			wantErrs: []string{"must be no more than 63 characters"},
		},
		{
			source: "master 348b6528bc meshexternalservice validator testdata/name-length-63",
			mode:   Enforce,
			kind:   KindMeshExternalService,
			name:   strings.Repeat("b", 63),
		},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			r := DefaultPolicy(tt.mode).Validate(tt.kind, tt.name, Create)
			var gotErrs []string
			if r.Err != nil {
				for _, fe := range r.Err.(*ErrorList).Errors {
					if fe.Field != "name" {
						t.Errorf("field %q, want name", fe.Field)
					}
					gotErrs = append(gotErrs, fe.Detail)
				}
			}
			if diff := cmp.Diff(tt.wantErrs, gotErrs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarnings, r.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
