package goplugin

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

// EarlyEnv names, in a plugin's environment, the roles the host is about
// to run whose settings it already knows (servers that refer to no other
// component), with those settings: the Go SDK starts them during the
// handshake, before their Run calls, which take them over when their
// settings are the same. Its value is EarlyValue's.
const EarlyEnv = "SOCKLAB_EARLY"

// EarlyValue is EarlyEnv's value for settings, each role's marshalled
// Run settings by role name: "role=base64url,...", sorted by role.
func EarlyValue(settings map[string][]byte) string {
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + "=" + base64.RawURLEncoding.EncodeToString(settings[name])
	}
	return strings.Join(parts, ",")
}

// Early reads EarlyEnv's value.
func Early(value string) (map[string][]byte, error) {
	settings := map[string][]byte{}
	if value == "" {
		return settings, nil
	}
	for _, part := range strings.Split(value, ",") {
		name, encoded, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%s: %q is not role=settings", EarlyEnv, part)
		}
		cfg, err := base64.RawURLEncoding.DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("%s: settings of %s: %w", EarlyEnv, name, err)
		}
		settings[name] = cfg
	}
	return settings, nil
}
