#!/usr/bin/env bash
# Measures what a clean link costs, in one run: UDP ping RTT and TCP bulk
# throughput, direct, through a minimal Go forwarder (the floor of a
# userspace hop) and through package link's relay and proxy, with and
# without an event sink. Every server and relay runs in a process of its own.
#
#   bench/link/run.sh                 # defaults below
#   PINGS=4000 ROUNDS=5 SECONDS_PER_TRANSFER=2 TCP_ROUNDS=3 bench/link/run.sh
set -euo pipefail

PINGS=${PINGS:-4000}
ROUNDS=${ROUNDS:-5}
SECONDS_PER_TRANSFER=${SECONDS_PER_TRANSFER:-2}
TCP_ROUNDS=${TCP_ROUNDS:-3}

cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/linkbench" ./bench/link/linkbench

# start NAME ARGS... runs a server or relay and sets $addr to what it prints.
start() {
	local name=$1
	shift
	"$work/linkbench" "$@" >"$work/$name.addr" 2>"$work/$name.log" &
	pids+=($!)
	for _ in $(seq 100); do
		if [[ -s $work/$name.addr ]]; then
			addr=$(head -n1 "$work/$name.addr")
			return
		fi
		sleep 0.05
	done
	echo "$name did not start:" >&2
	cat "$work/$name.log" >&2
	exit 1
}

start echo udp-echo; echo_addr=$addr
start forwarder forward -target "$echo_addr"; fwd_addr=$addr
start udplink link -proto udp -target "$echo_addr"; link_addr=$addr
start udplinksink link -proto udp -target "$echo_addr" -sink; linksink_addr=$addr
start sink tcp-sink; sink_addr=$addr
start tcpfwd tcp-forward -target "$sink_addr"; tcpfwd_addr=$addr
start tcplink link -proto tcp -target "$sink_addr"; tcplink_addr=$addr
start tcplinksink link -proto tcp -target "$sink_addr" -sink; tcplinksink_addr=$addr

echo "# $(date -u +%FT%TZ) $(go version | cut -d' ' -f3) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/linkbench" ping -n "$PINGS" -rounds "$ROUNDS" \
	direct="$echo_addr" forwarder="$fwd_addr" link="$link_addr" link+sink="$linksink_addr" | tee "$work/ping.txt"
# A clean link may add at most 1.25 times what the minimal forwarder adds.
awk 'function v(s) { sub(/µs/, "", s); return s + 0 }
	$1 == "direct" { d = v($3) } $1 == "forwarder" { f = v($3) } $1 == "link" { l = v($3) } $1 == "link+sink" { s = v($3) }
	END { printf "p50 added: forwarder %.1fµs, link %.1fµs (%.2fx), link+sink %.1fµs (%.2fx); target <= 1.25x\n",
		f - d, l - d, (l - d) / (f - d), s - d, (s - d) / (f - d) }' "$work/ping.txt"

"$work/linkbench" bulk -seconds "$SECONDS_PER_TRANSFER" -rounds "$TCP_ROUNDS" \
	direct="$sink_addr" forwarder="$tcpfwd_addr" link="$tcplink_addr" link+sink="$tcplinksink_addr" | tee "$work/bulk.txt"
awk '$1 == "direct" { d = $2 } $1 == "forwarder" { f = $2 } $1 == "link" { l = $2 } $1 == "link+sink" { s = $2 }
	END { printf "throughput kept: forwarder %.0f%%, link %.0f%%, link+sink %.0f%%; target >= 80%%\n", 100 * f / d, 100 * l / d, 100 * s / d }' "$work/bulk.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
