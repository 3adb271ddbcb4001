package naming

import (
	"errors"
	"strconv"
)

// Mode is the phase of the strict naming rules: how a name that satisfies the
// base rule but not its kind's rule is treated. The base rule (an RFC 1123
// subdomain) is enforced in every mode.
//
// The zero value is [Off], so a configuration that does not mention the mode
// changes nothing for existing users. Mode implements [flag.Value],
// [encoding.TextMarshaler] and [encoding.TextUnmarshaler]; its text forms are
// "off", "warn", "enforce-on-create" and "enforce".
type Mode uint8

// The modes, from the most to the least permissive.
const (
	// Off applies only the base rule to every kind.
	Off Mode = iota
	// Warn accepts a name that breaks its kind's rule and returns the
	// deprecation warning.
	Warn
	// EnforceOnCreate rejects creating a resource whose name breaks its
	// kind's rule, and accepts updating an existing one with the warning, so
	// resources created before the switch keep working.
	EnforceOnCreate
	// Enforce rejects every name that breaks its kind's rule.
	Enforce
)

// ErrInvalidMode is wrapped by the errors of [ParseMode],
// [Mode.UnmarshalText], [Mode.Set] and [Mode.MarshalText].
var ErrInvalidMode = errors.New("invalid mode")

var modeNames = [...]string{
	Off:             "off",
	Warn:            "warn",
	EnforceOnCreate: "enforce-on-create",
	Enforce:         "enforce",
}

// ParseMode returns the mode named s: "off", "warn", "enforce-on-create" or
// "enforce", exactly (lower case, no surrounding space).
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if s == name {
			return Mode(m), nil
		}
	}
	return Off, &modeError{value: s}
}

// IsValid reports whether m is one of the defined modes.
func (m Mode) IsValid() bool { return int(m) < len(modeNames) }

// String returns the text form of m ("off", "warn", "enforce-on-create",
// "enforce"), or "Mode(N)" for an undefined value.
func (m Mode) String() string {
	if m.IsValid() {
		return modeNames[m]
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// AppendText appends the text form of m to b. It fails for an undefined mode.
func (m Mode) AppendText(b []byte) ([]byte, error) {
	if !m.IsValid() {
		return b, &modeError{value: m.String(), undefined: true}
	}
	return append(b, modeNames[m]...), nil
}

// MarshalText returns the text form of m. It fails for an undefined mode, so
// a corrupt value is never written to a configuration file.
func (m Mode) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText sets m to the mode named by text, as [ParseMode]. On error m
// is unchanged.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := ParseMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Set sets m to the mode named s, as [ParseMode], so a *Mode is a
// [flag.Value]. On error m is unchanged.
func (m *Mode) Set(s string) error { return m.UnmarshalText([]byte(s)) }

// modeError reports a mode that cannot be parsed or marshalled.
type modeError struct {
	value     string
	undefined bool
}

func (e *modeError) Error() string {
	if e.undefined {
		return "naming: cannot marshal undefined " + e.value + ": " + ErrInvalidMode.Error()
	}
	return "naming: " + ErrInvalidMode.Error() + " " + strconv.Quote(e.value) +
		": want off, warn, enforce-on-create or enforce"
}

func (e *modeError) Unwrap() error { return ErrInvalidMode }
