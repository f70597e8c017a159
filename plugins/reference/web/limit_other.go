//go:build !unix

package web

// openFileLimit is unknown here.
func openFileLimit() uint64 { return 0 }
