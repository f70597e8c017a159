// Package sandbox runs an untrusted program (a student's submission, or
// the build of one) so that it can reach nothing but what it is given, and
// stops it with a clear verdict when it exceeds a limit.
//
// Command wraps a command line: the wrapped line starts this program's
// hidden `sandbox-exec` subcommand (Main), the supervisor, which stays
// outside the sandbox as the grader's user. The supervisor makes a control
// group for the limits on memory, processes and CPU time (cgroup v1 or
// v2, see cgroups), then starts itself once more (enter): that process
// joins the control group, sets the per-process limits (CPU seconds, file
// size, no core dumps), drops to an unprivileged user id (65534 unless
// configured), sets no_new_privs and becomes bubblewrap. Bubblewrap gives
// the program its own user, PID, IPC, UTS and cgroup namespaces (and a
// network namespace unless the caller shares its own), and a mount
// namespace holding only the system read-only (/usr, /lib, a few files of
// /etc), a private /tmp in memory, the directories the caller asks to be
// copied (in memory too, so a disk filler fills its memory limit) and the
// paths it asks to be visible read-only. Everything the program starts
// stays in its PID namespace and dies with it.
//
// The supervisor passes the program's output through, up to the output
// limit, watches its CPU time, and when the program is gone writes the
// Verdict (which limit, if any, was exceeded, and which limits were off)
// to a file the program never sees. See docs/grading.md for why
// bubblewrap rather than the kernel interfaces directly or nsjail/isolate.
package sandbox
