// Package lazy compiles a package's fixed regular expressions at their
// first use instead of at program start. Every socklab process is the same
// binary (the host, the builtin plugin, contain), so whatever one package
// compiles in its initialisation every one of them pays before it can do
// anything: the builtin plugin's handshake waited on the grader's and the
// plain-program readers' expressions.
package lazy

import (
	"regexp"
	"sync"
)

// Regexp returns a function that compiles expr the first time it is called
// and returns the same *regexp.Regexp from then on. Like
// regexp.MustCompile it panics if expr is not valid, at that first call.
// TestNothingCompiledAtInit finds expressions and templates a package
// still compiles at start-up.
func Regexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
