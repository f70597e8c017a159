package launch

import (
	"slices"
	"testing"

	"github.com/socklab/socklab/internal/goplugin"
)

func TestOnlyTheBuiltinPluginStartsOnOneProcessor(t *testing.T) {
	host := []string{"PATH=/bin"}
	oneProcessor := []string{"GOMAXPROCS=1", goplugin.OneProcessorEnv + "=1"}
	tests := []struct {
		name string
		spec Spec
		want bool // the environment asks for one processor
	}{
		{"builtin", Spec{}, true},
		{"builtin with its own GOMAXPROCS", Spec{Env: []string{"GOMAXPROCS=2"}}, false},
		{"command", Spec{Command: []string{"./server"}}, false},
		{"go package", Spec{Go: "./plugin"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Options{Spec: tt.spec}.environ(host)
			got := slices.Contains(env, oneProcessor[0]) && slices.Contains(env, oneProcessor[1])
			if got != tt.want {
				t.Errorf("environment %q: one processor %v, want %v", env, got, tt.want)
			}
			if slices.Contains(env, oneProcessor[1]) != tt.want {
				t.Errorf("environment %q: %s without the GOMAXPROCS it marks", env, goplugin.OneProcessorEnv)
			}
			if env[0] != host[0] {
				t.Errorf("environment %q does not start with the host's", env)
			}
		})
	}
}
