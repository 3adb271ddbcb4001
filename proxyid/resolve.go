package proxyid

// Resolve reads an ID written by a legacy control plane, where the mesh may hold
// unescaped dots, so that any dot can be the separator.
//
// It considers every dot of s as the split point (mesh before it, name after
// it; a dot at the start gives a zone proxy), and also the reading by [Parse]
// when s holds escapes, so that IDs written by meshcore resolve too. It keeps
// the readings for which exists reports true and returns the single one.
// Several existing readings give a *[ResolveError] wrapping [ErrAmbiguous]
// that lists them; none gives one wrapping [ErrNotFound] that lists what was
// tried. An s with no reading at all gives the *[ParseError] that Parse would.
//
// An ID with a single reading is resolved with one call to exists. A nil
// exists counts every reading as existing: Resolve then returns the ID only
// when s can be read in one way.
func Resolve(s string, exists func(ID) bool) (ID, error) {
	var (
		existing []ID
		tried    int
	)
	forEachReading(s, func(id ID) {
		tried++
		if exists == nil || exists(id) {
			existing = append(existing, id)
		}
	})
	switch {
	case tried == 0:
		_, err := Parse(s)
		return ID{}, err
	case len(existing) == 1:
		return existing[0], nil
	case len(existing) > 1:
		return ID{}, &ResolveError{Input: s, Candidates: existing, Err: ErrAmbiguous}
	}
	all := make([]ID, 0, tried)
	forEachReading(s, func(id ID) { all = append(all, id) })
	return ID{}, &ResolveError{Input: s, Candidates: all, Err: ErrNotFound}
}

// forEachReading calls f with every reading of s: each split at a dot that
// leaves a non-empty name, in order of the dot's position, then the strict
// meshcore reading when it differs from all of those.
func forEachReading(s string, f func(ID)) {
	strict, err := Parse(s)
	strictSeen := err != nil
	for i := 0; i < len(s)-1; i++ {
		if s[i] != '.' {
			continue
		}
		// A legacy reading: the raw bytes before the dot are the mesh. Encode it
		// canonically, which escapes any dots and percents in it.
		var id ID
		if i == 0 {
			id = ID{s: s}
		} else {
			id, _ = New(s[:i], s[i+1:]) // both non-empty: cannot fail
		}
		if !strictSeen && id == strict {
			strictSeen = true
		}
		f(id)
	}
	if !strictSeen {
		f(strict)
	}
}
