package goplugin

import (
	"slices"
	"strings"
)

// OneProcessorEnv marks, in a plugin's environment, a GOMAXPROCS=1 that
// the host set for the start-up only: the Go SDK gives the process its
// default number of processors back once the start-up is over. The host
// sets both for its builtin plugin. On a VM where page faults are dear,
// the threads and per-processor structures that the Go runtime sets up
// for a second processor during its own start-up and the packages'
// initialisation cost more than that processor gains a program that has
// not yet begun to work.
const OneProcessorEnv = "SOCKLAB_START_ON_ONE_PROCESSOR"

// StartOnOneProcessor returns a plugin's environment env with GOMAXPROCS=1
// and OneProcessorEnv added, unless env sets GOMAXPROCS: a setting
// somebody made is left as it is.
func StartOnOneProcessor(env []string) []string {
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GOMAXPROCS=") }) {
		return env
	}
	return append(env, "GOMAXPROCS=1", OneProcessorEnv+"=1")
}
