#!/usr/bin/env bash
# Benchmarks the reference web server against Go's net/http FileServer and
# nginx, serving the same 1 KiB and 1 MiB files over loopback, with wrk and
# keep-alive connections. Prints requests/s and p99 latency for each, and the
# ratios ref/net-http and ref/nginx. See docs/web-bench.md.
#
# Fairness: every server runs pinned to SERVER_CPUS with as many threads as
# CPUs there (GOMAXPROCS for the Go servers, worker_processes for nginx), and
# wrk runs pinned to WRK_CPUS, so load generator and server do not fight over
# a core. Next to requests/s it reports the server's CPU time per request
# (user + system, from /proc), which a busy machine disturbs less than
# throughput. nginx gets sendfile on with tcp_nopush on (the head leaves with
# the body, as the reference server's MSG_MORE does), access_log off, no
# open_file_cache (the Go servers open each file per request too) and
# unlimited keep-alive requests (as the Go servers).
#
# Settings (environment): DURATION (10s), WARMUP (2s), CONNS (50),
# SERVER_CPUS (0), WRK_CPUS (1), ROUNDS (1; the median is reported),
# FILES ("1k.bin 1m.bin").
# Needs: go, wrk, nginx, taskset, python3.
set -euo pipefail

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-50}
SERVER_CPUS=${SERVER_CPUS:-0}
WRK_CPUS=${WRK_CPUS:-1}
ROUNDS=${ROUNDS:-1}
FILES=${FILES:-1k.bin 1m.bin}

for tool in go wrk nginx taskset python3; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

# count_cpus "0,2-3" prints 3.
count_cpus() {
	python3 -c 'import sys
n = 0
for part in sys.argv[1].split(","):
    lo, _, hi = part.partition("-")
    n += int(hi or lo) - int(lo) + 1
print(n)' "$1"
}
SERVER_PROCS=$(count_cpus "$SERVER_CPUS")
WRK_THREADS=$(count_cpus "$WRK_CPUS")

repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/www" "$tmp/nginx/logs"
head -c 1024 /dev/urandom >"$tmp/www/1k.bin"
head -c 1048576 /dev/urandom >"$tmp/www/1m.bin"
(cd "$repo" && go build -o "$tmp/serve" ./bench/web/serve)

# wait_port HOST:PORT waits up to 10 s for a listener.
wait_port() {
	python3 -c 'import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
for _ in range(100):
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("nothing listens on " + sys.argv[1])' "$1"
}

# start_go NAME starts bench/web/serve -server NAME and sets addr.
start_go() {
	GOMAXPROCS=$SERVER_PROCS taskset -c "$SERVER_CPUS" "$tmp/serve" -server "$1" -root "$tmp/www" >"$tmp/$1.addr" &
	pids+=($!)
	for _ in $(seq 100); do
		addr=$(head -n1 "$tmp/$1.addr" 2>/dev/null || true)
		[ -n "$addr" ] && return
		sleep 0.1
	done
	echo "run.sh: $1 server did not start" >&2
	exit 1
}

start_go ref
ref_addr=$addr
ref_pid=${pids[-1]}
start_go nethttp
nethttp_addr=$addr
nethttp_pid=${pids[-1]}

nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$tmp/nginx/nginx.conf" <<EOF
$user_line
worker_processes $SERVER_PROCS;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000000;
	keepalive_timeout 5s;
	types { application/octet-stream bin; }
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nginx_port;
		root $tmp/www;
	}
}
EOF
taskset -c "$SERVER_CPUS" nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" -e "$tmp/nginx/logs/error.log" -g 'daemon off;' &
pids+=($!)
nginx_pid=$!
nginx_addr=127.0.0.1:$nginx_port
wait_port "$nginx_addr"
wait_port "$ref_addr"
wait_port "$nethttp_addr"

# cpu_ticks PID prints the CPU time, in clock ticks, used so far by PID and
# its children (nginx's workers).
cpu_ticks() {
	local total=0 pid f
	for pid in "$1" $(ps --ppid "$1" -o pid=); do
		read -r -a f <"/proc/$pid/stat"
		total=$((total + f[13] + f[14]))
	done
	echo "$total"
}
tick_us=$((1000000 / $(getconf CLK_TCK)))

# bench URL PID prints "requests/s p99-ms cpu-us-per-request" from one wrk
# run against the server PID.
bench() {
	taskset -c "$WRK_CPUS" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" "$1" >/dev/null
	local before out
	before=$(cpu_ticks "$2")
	out=$(taskset -c "$WRK_CPUS" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency "$1")
	local ticks=$(($(cpu_ticks "$2") - before))
	if grep -q "Non-2xx" <<<"$out"; then
		echo "run.sh: $1 answered errors:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk -v cpu=$((ticks * tick_us)) '
		/requests in/ { n = $1 }
		/Requests\/sec:/ { rps = $2 }
		$1 == "99%" {
			v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
			p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v
		}
		END { printf "%.0f %.3f %.1f\n", rps, p99, cpu / n }' <<<"$out"
}

# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency (cpus $WRK_CPUS); servers on cpus $SERVER_CPUS with $SERVER_PROCS thread(s) each; $ROUNDS round(s)"
printf '%-8s %-8s %12s %10s %12s\n' file server 'requests/s' 'p99 ms' 'cpu us/req'
for file in $FILES; do
	declare -A rps=() p99=() cpu=()
	# Rounds go round the servers, so that a noisy moment hits them alike.
	for _ in $(seq "$ROUNDS"); do
		for server in ref nethttp nginx; do
			addr_var=${server}_addr pid_var=${server}_pid
			res=$(bench "http://${!addr_var}/$file" "${!pid_var}")
			read -r a b c <<<"$res"
			rps[$server]+=" $a"
			p99[$server]+=" $b"
			cpu[$server]+=" $c"
		done
	done
	for server in ref nethttp nginx; do
		# shellcheck disable=SC2086 # the lists split on purpose
		rps[$server]=$(median ${rps[$server]})
		# shellcheck disable=SC2086
		p99[$server]=$(median ${p99[$server]})
		# shellcheck disable=SC2086
		cpu[$server]=$(median ${cpu[$server]})
		printf '%-8s %-8s %12s %10s %12s\n' "$file" "$server" "${rps[$server]}" "${p99[$server]}" "${cpu[$server]}"
	done
	awk -v f="$file" -v r="${rps[ref]}" -v n="${rps[nethttp]}" -v x="${rps[nginx]}" \
		'BEGIN { printf "%-8s ratio    ref/net-http %.2fx   ref/nginx %.2fx\n", f, r / n, r / x }'
	unset rps p99 cpu
done
