#!/usr/bin/env bash
# Scale benchmark of the reference heartbeat server (docs/heartbeat-bench.md).
#
# For each client count N in $STEPS, a load generator plays N clients at 10
# heartbeats/s for $STEP_SECONDS seconds, first against a bare Go UDP reader
# (the yardstick: what a minimal Go program receives at that load), then
# against the reference server (report_heartbeats off). It reports what each
# received, the server's loss and false Down events, and the ratio of the
# two; then the largest N with no loss and no false down. A last step floods
# both receivers as fast as the generator can send, for their peak rates.
#
# Usage: bench/heartbeat/run.sh    (root raises net.core.rmem_max to 4 MiB)
# Environment: STEPS="5000 10000 ..." STEP_SECONDS=5 FLOOD_CLIENTS=20000
#              LOADGEN_FLAGS="-ids=false" PROFILE_DIR=dir (server CPU profiles)
set -euo pipefail

STEPS=${STEPS:-"5000 10000 20000 30000 40000 50000 60000"}
STEP_SECONDS=${STEP_SECONDS:-5}
FLOOD_CLIENTS=${FLOOD_CLIENTS:-20000}
LOADGEN_FLAGS=${LOADGEN_FLAGS:-}
PROFILE_DIR=${PROFILE_DIR:-}
RATE=10
RCVBUF=$((4 << 20))

cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/" ./bench/heartbeat/loadgen ./bench/heartbeat/bare ./bench/heartbeat/server

# The kernel caps SO_RCVBUF at net.core.rmem_max; raise it (never lower it).
rmem=$(sysctl -n net.core.rmem_max)
if ((rmem < RCVBUF)); then
	sysctl -qw net.core.rmem_max=$RCVBUF || echo "warning: net.core.rmem_max stays $rmem; run as root to raise it" >&2
fi
# With LOADGEN_FLAGS=-ids=false the generator needs a socket a client; Go
# raises its own soft open-file limit to the hard one, which caps N.

# kv KEY LINE prints the value of KEY=value in LINE.
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# drops PORT prints the kernel's drop count of the UDP socket on 127.0.0.1:PORT.
drops() { awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a { print $NF; exit }' /proc/net/udp; }

# measure RECEIVER CLIENTS [LOADGEN FLAGS...] runs one receiver under one load
# and prints the loadgen's and the receiver's key=value lines, and drops=N;
# it fails if the load generator does.
measure() {
	local rx=$1 n=$2 out="$work/$1.out" err="$work/$1.err" pid addr gen d
	shift 2
	local extra=()
	if [[ $rx == server && -n $PROFILE_DIR ]]; then
		mkdir -p "$PROFILE_DIR"
		extra=(-cpuprofile "$PROFILE_DIR/server-$n.prof")
	fi
	"$work/$rx" "${extra[@]}" >"$out" 2>"$err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$out" && break
		sleep 0.05
	done
	addr=$(kv addr "$(head -1 "$out")")
	[[ -n $addr ]] || { echo "$rx did not start: $(cat "$err")" >&2; exit 1; }
	# shellcheck disable=SC2086 # LOADGEN_FLAGS is a list of flags
	if ! gen=$("$work/loadgen" -target "$addr" -clients "$n" -rate $RATE -duration "${STEP_SECONDS}s" $LOADGEN_FLAGS "$@" 2>"$work/loadgen.err"); then
		kill -TERM "$pid"
		wait "$pid" || true
		return 1
	fi
	sleep 0.5 # let the receiver drain its queue; far below dead_after
	d=$(drops "${addr##*:}")
	kill -TERM "$pid"
	wait "$pid"
	echo "$gen $(tail -1 "$out") drops=${d:-?}"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), net.core.rmem_max=$(sysctl -n net.core.rmem_max)"
echo "# $STEP_SECONDS s a step, $RATE heartbeats/s a client, loadgen flags: ${LOADGEN_FLAGS:-(none)}"
echo "# offered: datagrams/s the generator achieved; recv/sent: datagrams received of those sent;"
echo "# pps: received per second of sending; drops: the"
echo "# socket's kernel drop count; lost: seqs the server reported Lost; downs: Down events (all false:"
echo "# no client stops during a step); cpu: receiver CPU seconds; ratio: server pps / bare pps"
printf '%8s | %7s %15s %7s %6s %5s | %7s %15s %7s %6s %7s %5s %5s | %5s %3s\n' \
	clients offered "bare recv/sent" pps drops cpu offered "server recv/sent" pps drops lost downs cpu ratio ok
best=0
# report CLIENTS BARE_LINE SERVER_LINE prints one table row and sets ok.
report() {
	local n=$1 b=$2 s=$3
	local bsent brecv ssent srecv secs bpps spps ratio
	bsent=$(kv sent "$b") brecv=$(kv received "$b")
	ssent=$(kv sent "$s") srecv=$(kv received "$s") secs=$(kv elapsed "$s")
	bpps=$(awk -v r="$brecv" -v t="$(kv elapsed "$b")" 'BEGIN { printf "%.0f", r / t }')
	spps=$(awk -v r="$srecv" -v t="$secs" 'BEGIN { printf "%.0f", r / t }')
	ratio=$(awk -v s="$spps" -v b="$bpps" 'BEGIN { printf "%.2f", b ? s / b : 0 }')
	ok=no
	if [[ $srecv == "$ssent" && $(kv lost "$s") == 0 && $(kv downs "$s") == 0 ]]; then ok=yes; fi
	printf '%8s | %7s %15s %7s %6s %5s | %7s %15s %7s %6s %7s %5s %5s | %5s %3s\n' \
		"$n" "$(kv offered_pps "$b")" "$brecv/$bsent" "$bpps" "$(kv drops "$b")" "$(kv cpu "$b")" \
		"$(kv offered_pps "$s")" "$srecv/$ssent" "$spps" "$(kv drops "$s")" "$(kv lost "$s")" "$(kv downs "$s")" "$(kv cpu "$s")" "$ratio" "$ok"
}

# step CLIENTS [LOADGEN FLAGS...] measures both receivers and prints the row.
step() {
	local b s
	ok=no
	if ! b=$(measure bare "$@") || ! s=$(measure server "$@"); then
		printf '%8s | load generator failed: %s\n' "$1" "$(tail -1 "$work/loadgen.err")"
		return
	fi
	report "$1" "$b" "$s"
}

for n in $STEPS; do
	step "$n"
	if [[ $ok == yes ]] && ((n > best)); then best=$n; fi
done
echo "# SO_RCVBUF the kernel reports (Linux doubles the size set): bare $(kv rcvbuf "$(head -1 "$work/bare.out")"), server $(grep -o 'kernel reports [0-9]*' "$work/server.err" | cut -d' ' -f3)"
echo "largest N with no loss and no false down: $best clients ($((best * RATE)) heartbeats/s)"

echo "# flood: $FLOOD_CLIENTS clients sending as fast as the generator can (loss expected)"
step "$FLOOD_CLIENTS" -flood
