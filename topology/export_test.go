package topology

import "context"

// BuildCounts runs a build and returns how many secrets it loaded and how many
// PEM parses (and pair checks) it ran.
func BuildCounts(ctx context.Context, in EgressInput) (loads, parses int) {
	_, _, st := buildEgress(ctx, in)
	return st.loads, st.parses
}
