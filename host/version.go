package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func versionCommand() *command {
	return &command{
		name: "version", summary: "print socklab's module version and the VCS revision it was built from",
		setup: func(_ *flag.FlagSet, std stdio) func([]string, []string) int {
			return func([]string, []string) int {
				writeVersion(std.out)
				return exitOK
			}
		},
	}
}

// writeVersion prints what the binary knows of its build:
//
//	socklab v1.2.0
//	revision 3f2a9c1e... (2026-12-06T05:00:00Z, modified)
//	go1.26.8 linux/amd64
func writeVersion(w io.Writer) {
	version, revision, when, modified := "unknown", "", "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	fmt.Fprintf(w, "socklab %s\n", version)
	switch {
	case revision == "":
		fmt.Fprintln(w, "revision unknown (built without version control information)")
	case modified:
		fmt.Fprintf(w, "revision %s (%s, modified)\n", revision, when)
	default:
		fmt.Fprintf(w, "revision %s (%s)\n", revision, when)
	}
	fmt.Fprintf(w, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
