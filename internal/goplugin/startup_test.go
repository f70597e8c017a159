package goplugin

import (
	"slices"
	"testing"
)

func TestStartOnOneProcessor(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"nothing set", []string{"PATH=/bin"}, []string{"PATH=/bin", "GOMAXPROCS=1", OneProcessorEnv + "=1"}},
		{"somebody's GOMAXPROCS is kept", []string{"GOMAXPROCS=3", "PATH=/bin"}, []string{"GOMAXPROCS=3", "PATH=/bin"}},
		{"an empty GOMAXPROCS is a setting too", []string{"GOMAXPROCS="}, []string{"GOMAXPROCS="}},
		{"a longer name is another variable", []string{"GOMAXPROCSX=2"}, []string{"GOMAXPROCSX=2", "GOMAXPROCS=1", OneProcessorEnv + "=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StartOnOneProcessor(slices.Clone(tt.env)); !slices.Equal(got, tt.want) {
				t.Errorf("StartOnOneProcessor(%q) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}
