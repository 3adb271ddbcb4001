package naming

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func TestModeText(t *testing.T) {
	for _, tc := range []struct {
		mode Mode
		text string
	}{
		{Off, "off"},
		{Warn, "warn"},
		{EnforceOnCreate, "enforce-on-create"},
		{Enforce, "enforce"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			assert.True(t, tc.mode.IsValid())
			assert.Equal(t, tc.text, tc.mode.String())

			got, err := ParseMode(tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.mode, got)

			b, err := tc.mode.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tc.text, string(b))

			b, err = tc.mode.AppendText([]byte("mode="))
			require.NoError(t, err)
			assert.Equal(t, "mode="+tc.text, string(b))

			var m Mode
			require.NoError(t, m.UnmarshalText([]byte(tc.text)))
			assert.Equal(t, tc.mode, m)

			m = Off
			require.NoError(t, m.Set(tc.text))
			assert.Equal(t, tc.mode, m)
		})
	}
	assert.Equal(t, Off, Mode(0), "the zero value is Off")
}

func TestParseModeErrors(t *testing.T) {
	for _, s := range []string{"", "Warn", "WARN", " warn", "warn ", "enforce_on_create", "enforceOnCreate", "on", "0", "warn\n"} {
		t.Run(s, func(t *testing.T) {
			m, err := ParseMode(s)
			require.Error(t, err)
			assert.Equal(t, Off, m)
			assert.ErrorIs(t, err, ErrInvalidMode)
			assert.Contains(t, err.Error(), "naming: ")
			assert.Contains(t, err.Error(), strconv.Quote(s))
			assert.Contains(t, err.Error(), "want off, warn, enforce-on-create or enforce")

			got := Enforce
			require.Error(t, got.UnmarshalText([]byte(s)))
			assert.Equal(t, Enforce, got, "unchanged on error")
			require.Error(t, got.Set(s))
			assert.Equal(t, Enforce, got, "unchanged on error")
		})
	}
	_, err := ParseMode("strict")
	assert.EqualError(t, err, `naming: invalid mode "strict": want off, warn, enforce-on-create or enforce`)
}

func TestModeUndefined(t *testing.T) {
	m := Mode(7)
	assert.False(t, m.IsValid())
	assert.Equal(t, "Mode(7)", m.String())
	_, err := m.MarshalText()
	assert.EqualError(t, err, "naming: cannot marshal undefined Mode(7): invalid mode")
	assert.ErrorIs(t, err, ErrInvalidMode)
	b, err := m.AppendText([]byte("x"))
	assert.Error(t, err)
	assert.Equal(t, "x", string(b))
}

func TestModeFlag(t *testing.T) {
	fs := flag.NewFlagSet("cp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m := Warn
	fs.Var(&m, "naming-mode", "naming mode")
	require.NoError(t, fs.Parse([]string{"-naming-mode=enforce-on-create"}))
	assert.Equal(t, EnforceOnCreate, m)
	assert.Equal(t, "enforce-on-create", fs.Lookup("naming-mode").Value.String())
	assert.Error(t, fs.Parse([]string{"-naming-mode=strict"}))
	assert.Equal(t, EnforceOnCreate, m)
}

func TestModeConfig(t *testing.T) {
	type config struct {
		Mode Mode `json:"mode"`
	}
	var c config
	require.NoError(t, yaml.Unmarshal([]byte("mode: enforce\n"), &c))
	assert.Equal(t, Enforce, c.Mode)

	b, err := json.Marshal(config{Mode: EnforceOnCreate})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mode":"enforce-on-create"}`, string(b))

	c = config{}
	require.NoError(t, json.Unmarshal([]byte(`{}`), &c))
	assert.Equal(t, Off, c.Mode, "a config without the mode is Off")

	err = json.Unmarshal([]byte(`{"mode":"on"}`), &c)
	assert.True(t, errors.Is(err, ErrInvalidMode), "%v", err)

	_, err = json.Marshal(config{Mode: 9})
	assert.ErrorIs(t, err, ErrInvalidMode)
}
