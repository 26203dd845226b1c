#!/usr/bin/env bash
# Measures tapswitch against the Linux bridge and against user-space peers on one two-host topology,
# the switching element built in turn by each scenario:
#
#   bridge         h1 --veth-- [Linux bridge] --veth-- h2
#   tap            h1 --TAP--  [tapswitch, TAP ports]  --TAP--  h2   (the switch holds the TAP fds)
#   netdev         h1 --veth-- [tapswitch, AF_PACKET ports on the switch-side veth ends] --veth-- h2
#   tapfwd         h1 --TAP--  [tapfwd -v: the C reference, TAP + vnet header]  --TAP--  h2
#   tapfwd-packet  h1 --veth-- [tapfwd -P: the C reference, AF_PACKET + vnet header] --veth-- h2
#   tapfwd-poll    h1 --TAP--  [tapfwd -v -e: the C reference, one poll thread for both ports] --TAP-- h2
#   vde            h1 --TAP--  [vde_switch -t: one thread polling every port, no vnet header] --TAP-- h2
#
# The peers are the bar issue 15 sets: tapfwd (no learning, one blocking thread per direction; built
# here with gcc from ../shared/perf-reference/tapfwd.c, never copied into the project) is what a
# user-space forwarder reaches on this machine through the same kernel interfaces, and vde_switch
# (Debian package vde2, used when installed) is a switch with one event loop.
#
# Hosts h1 and h2 are network namespaces (tsb-h1, tsb-h2, addresses 198.18.64.1/.2). The switching
# element lives in a third namespace, tsb-sw: the bridge and the veth ends are created there and the
# agent or peer runs there, so the host's own firewall (Docker's iptables rules, br_netfilter) is out
# of every path, and bridge-nf-call-* is switched off in that namespace only.
#
# Each of REPEATS rounds builds every scenario in turn (bridge, tap, netdev, the peers, then again),
# so load that comes and goes on the machine falls on all of them alike; in each: a warm-up, then
# iperf3 TCP with 1 and with 4 streams, iperf3 UDP of 64-byte payloads at full rate (received packets
# per second, as counted by the server), and ping RTT. It prints the median of each; then, for each
# tapswitch scenario, the ratio of each figure to the bridge's, to the best peer's on that figure,
# and to the C reference's on the same port kind (tap to tapfwd, netdev to tapfwd-packet).
#
# Usage (as root, from anywhere):  bench/run.sh
# Environment:
#   REPEATS=3        rounds per scenario (medians over these)
#   DURATION=5       seconds per iperf3 run
#   WARMUP=3         seconds of unrecorded TCP and UDP traffic first in each round (the agent's JIT
#                    compiles the frame path then; 0 to skip)
#   PINGS=50         echo requests per ping run (10 ms apart)
#   SCENARIOS="bridge tap netdev tapfwd tapfwd-packet vde"
#                    a peer that cannot run here (no vde_switch, no gcc, no tapfwd.c) is skipped and
#                    says why; tapfwd-poll is not in the default list.
#                    A tapswitch scenario may carry a label, KIND+LABEL (tap+nospin): the same topology
#                    with the agent given the extra JVM options in OPTS_LABEL, to compare settings
#                    side by side in one run, e.g. SCENARIOS="bridge netdev netdev+single"
#                    OPTS_single=-Dtapswitch.receiveBatch=1
#   TAPFWD_SRC=...   the C reference's source (default ../shared/perf-reference/tapfwd.c next to the
#                    checkout); built into bench/target/tapfwd when newer than the binary
#   JAVA_OPTS=...    extra JVM options for the agent
#   PROFILE=1        record the agent with JFR in each tapswitch scenario and print its hottest frames
#   PERF=1           count the forwarder's (agent's or peer's) system calls and context switches
#                    (perf stat) during each iperf3 run; kept in OUT/NAME.perf, summed in the log
#   OUT=/tmp/...     where logs, raw numbers and recordings go (default: a new temporary directory)
set -euo pipefail

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
PINGS=${PINGS:-50}
SCENARIOS=${SCENARIOS:-bridge tap netdev tapfwd tapfwd-packet vde}
JAVA_OPTS=${JAVA_OPTS:-}
PROFILE=${PROFILE:-0}
PERF=${PERF:-0}

PREFIX=tsb
SW=$PREFIX-sw
H1=$PREFIX-h1
H2=$PREFIX-h2
IP1=198.18.64.1
IP2=198.18.64.2
MASK=24
AGENT_READY_SECONDS=60
PEER_READY_SECONDS=10
PEERS=(tapfwd tapfwd-packet tapfwd-poll vde)

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$top/agent/target/tapswitch-agent.jar"
TAPFWD_SRC=${TAPFWD_SRC:-$top/../shared/perf-reference/tapfwd.c}
tapfwd="$top/bench/target/tapfwd"

log() { printf '[run.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  echo "bench/run.sh creates network namespaces, bridges and TAP devices and must run as root: sudo bench/run.sh" >&2
  exit 1
fi
for tool in ip iperf3 ping java jq awk; do
  command -v "$tool" >/dev/null || die "'$tool' is needed (scripts/host-setup.sh installs iperf3 and iproute2)"
done
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || die "REPEATS must be a positive integer, was '$REPEATS'"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer, was '$DURATION'"
[[ $PERF != 1 ]] || command -v perf >/dev/null || die "PERF=1 needs 'perf' (linux-perf)"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds, was '$WARMUP'"

OUT=${OUT:-$(mktemp -d /tmp/tsb-bench.XXXXXX)}
mkdir -p "$OUT"
agent_pid=""
peer_pid=""

# --- cleanup: everything this script creates is named tsb-* and removed here, whatever happened ---

stop_agent() {
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$agent_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$agent_pid" 2>/dev/null || true
  fi
  if [[ -n $agent_pid ]]; then
    wait "$agent_pid" 2>/dev/null || true
  fi
  agent_pid=""
}

# Stops the peer (tapfwd, or the vde_switch daemon) with SIGTERM, on which both exit cleanly; tapfwd
# writes its counters to OUT/SCENARIO-ROUND.stats then.
stop_peer() {
  if [[ -n $peer_pid ]] && kill -0 "$peer_pid" 2>/dev/null; then
    kill -TERM "$peer_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$peer_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$peer_pid" 2>/dev/null || true
  fi
  if [[ -n $peer_pid ]]; then
    wait "$peer_pid" 2>/dev/null || true
  fi
  peer_pid=""
}

stop_iperf_server() {
  local pidfile="$OUT/iperf3.pid"
  if [[ -s $pidfile ]]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}

teardown() {
  stop_iperf_server
  stop_agent
  stop_peer
  local ns
  for ns in "$H1" "$H2" "$SW"; do
    ip netns del "$ns" 2>/dev/null || true
  done
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  teardown
  [[ $rc -eq 0 ]] || log "stopped (exit $rc); logs in $OUT"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- topology ---

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

make_namespaces() {
  teardown
  local ns
  for ns in "$SW" "$H1" "$H2"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
}

# Configures the host side of a link that has just been moved into a host namespace.
host_address() {
  local ns=$1 dev=$2 ip=$3
  in_ns "$ns" ip link set "$dev" name eth0
  in_ns "$ns" ip addr add "$ip/$MASK" dev eth0
  in_ns "$ns" ip link set eth0 up
}

# A veth pair whose first end stays in the switch namespace and whose second end becomes the host's eth0.
veth_to_host() {
  local sw_end=$1 ns=$2 ip=$3
  in_ns "$SW" ip link add "$sw_end" type veth peer name "$sw_end-h"
  in_ns "$SW" ip link set "$sw_end-h" netns "$ns"
  host_address "$ns" "$sw_end-h" "$ip"
  in_ns "$SW" ip link set "$sw_end" up
}

setup_bridge() {
  make_namespaces
  in_ns "$SW" sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 \
    net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
  in_ns "$SW" ip link add "$PREFIX-br" type bridge stp_state 0
  in_ns "$SW" ip link set "$PREFIX-br" up
  veth_to_host "$PREFIX-v1" "$H1" "$IP1"
  veth_to_host "$PREFIX-v2" "$H2" "$IP2"
  in_ns "$SW" ip link set "$PREFIX-v1" master "$PREFIX-br"
  in_ns "$SW" ip link set "$PREFIX-v2" master "$PREFIX-br"
}

# Starts the agent in the switch namespace with two ports of one kind; returns non-zero if it does not come up.
start_agent() {
  local scenario=$1 round=$2 kind=$3 p1=$4 p2=$5
  local config="$OUT/$scenario.yaml"
  local agent_log="$OUT/$scenario-$round-agent.log"
  local create=""
  [[ $kind == tap ]] && create="    create: create"
  cat >"$config" <<EOF
name: $PREFIX-$kind
ports:
  - name: $p1
    kind: $kind
$create
  - name: $p2
    kind: $kind
$create
EOF
  local jvm=($JAVA_OPTS)
  if [[ $scenario == *+* ]]; then
    local extra="OPTS_${scenario#*+}"
    jvm+=(${!extra:-})
  fi
  if [[ $PROFILE == 1 ]]; then
    jvm+=("-XX:StartFlightRecording=filename=$OUT/$scenario-$round.jfr,settings=profile,dumponexit=true")
  fi
  ip netns exec "$SW" java "${jvm[@]}" -jar "$jar" run --config "$config" >"$agent_log" 2>&1 &
  agent_pid=$!
  local waited
  for ((waited = 0; waited < AGENT_READY_SECONDS * 10; waited++)); do
    if grep -q "running with 2 ports" "$agent_log" 2>/dev/null; then
      return 0
    fi
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$scenario: the agent did not start; the end of its log ($agent_log):"
  tail -n 5 "$agent_log" >&2 || true
  stop_agent
  return 1
}

# Moves the two TAPs that the switching element holds (tsb-t1, tsb-t2) into the hosts.
taps_to_hosts() {
  in_ns "$SW" ip link set "$PREFIX-t1" netns "$H1"
  in_ns "$SW" ip link set "$PREFIX-t2" netns "$H2"
  host_address "$H1" "$PREFIX-t1" "$IP1"
  host_address "$H2" "$PREFIX-t2" "$IP2"
}

setup_tap() {
  make_namespaces
  start_agent "${2:-tap}" "$1" tap "$PREFIX-t1" "$PREFIX-t2" || return 1
  taps_to_hosts
}

setup_netdev() {
  make_namespaces
  veth_to_host "$PREFIX-v1" "$H1" "$IP1"
  veth_to_host "$PREFIX-v2" "$H2" "$IP2"
  start_agent "${2:-netdev}" "$1" netdev "$PREFIX-v1" "$PREFIX-v2" || return 1
}

# --- peers ---

# Starts the C reference in the switch namespace on ports p1 and p2 with the given options; returns
# non-zero if it does not say it is ready.
start_tapfwd() {
  local scenario=$1 round=$2 p1=$3 p2=$4; shift 4
  local peer_log="$OUT/$scenario-$round-peer.log"
  ip netns exec "$SW" "$tapfwd" "$@" -s "$OUT/$scenario-$round.stats" "$p1" "$p2" >"$peer_log" 2>&1 &
  peer_pid=$!
  local waited
  for ((waited = 0; waited < PEER_READY_SECONDS * 10; waited++)); do
    grep -q "ready" "$peer_log" 2>/dev/null && return 0
    kill -0 "$peer_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$scenario: tapfwd did not start: $(tail -n 2 "$peer_log" 2>/dev/null)"
  stop_peer
  return 1
}

setup_tapfwd() {
  make_namespaces
  start_tapfwd tapfwd "$1" "$PREFIX-t1" "$PREFIX-t2" -v || return 1
  taps_to_hosts
}

setup_tapfwd_poll() {
  make_namespaces
  start_tapfwd tapfwd-poll "$1" "$PREFIX-t1" "$PREFIX-t2" -v -e || return 1
  taps_to_hosts
}

setup_tapfwd_packet() {
  make_namespaces
  veth_to_host "$PREFIX-v1" "$H1" "$IP1"
  veth_to_host "$PREFIX-v2" "$H2" "$IP2"
  start_tapfwd tapfwd-packet "$1" "$PREFIX-v1" "$PREFIX-v2" -P
}

# vde_switch with its two TAPs, as a daemon (in the foreground it would read commands from stdin and
# stop at its end); its pid comes from its pid file, its control sockets live in OUT.
setup_vde() {
  make_namespaces
  local pidfile="$OUT/vde.pid" peer_log="$OUT/vde-$1-peer.log"
  rm -f "$pidfile"
  if ! in_ns "$SW" vde_switch -t "$PREFIX-t1" -t "$PREFIX-t2" -s "$OUT/vde.ctl" -d -p "$pidfile" >"$peer_log" 2>&1; then
    log "vde: vde_switch did not start: $(tail -n 2 "$peer_log")"
    return 1
  fi
  local waited
  for ((waited = 0; waited < PEER_READY_SECONDS * 10; waited++)); do
    if [[ -s $pidfile ]] && in_ns "$SW" ip link show "$PREFIX-t2" >/dev/null 2>&1; then
      peer_pid=$(cat "$pidfile")
      taps_to_hosts
      return 0
    fi
    sleep 0.1
  done
  log "vde: vde_switch made no pid file or TAPs within ${PEER_READY_SECONDS} s"
  [[ -s $pidfile ]] && peer_pid=$(cat "$pidfile")
  stop_peer
  return 1
}

# Whether a peer can run on this machine; prints why not otherwise. Builds tapfwd once per run.
peer_prerequisite() {
  case $1 in
    vde)
      command -v vde_switch >/dev/null || { echo "vde_switch is not installed (Debian package vde2)"; return 1; }
      ;;
    tapfwd*)
      [[ -f $TAPFWD_SRC ]] || { echo "no C reference source at $TAPFWD_SRC (set TAPFWD_SRC)"; return 1; }
      command -v gcc >/dev/null || { echo "gcc is not installed"; return 1; }
      if [[ ! -x $tapfwd || $TAPFWD_SRC -nt $tapfwd ]]; then
        mkdir -p "$(dirname "$tapfwd")"
        gcc -O2 -Wall -pthread -o "$tapfwd" "$TAPFWD_SRC" >"$OUT/tapfwd-build.log" 2>&1 ||
          { echo "gcc could not build $TAPFWD_SRC (see $OUT/tapfwd-build.log)"; return 1; }
      fi
      ;;
  esac
}

# Waits until h1 reaches h2 (ARP resolved, MACs learned); false if it never does.
reachable() {
  local i
  for i in $(seq 1 50); do
    in_ns "$H1" ping -c 1 -W 1 "$IP2" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# --- measurements: each prints one number, or "nan" when the run failed ---

start_iperf_server() {
  stop_iperf_server
  in_ns "$H2" iperf3 -s -D -B "$IP2" -I "$OUT/iperf3.pid" --logfile "$OUT/iperf3-server.log"
  for _ in $(seq 1 50); do
    [[ -s $OUT/iperf3.pid ]] && return 0
    sleep 0.1
  done
  return 1
}

# With PERF=1 and an agent or a peer running: counts its system calls and context switches for
# DURATION seconds in the background, into OUT/NAME.perf.
perf_start() {
  perf_pid=""
  local pid=${agent_pid:-$peer_pid}
  [[ $PERF == 1 && -n $pid ]] || return 0
  perf stat -x, -e context-switches,raw_syscalls:sys_enter -p "$pid" -o "$OUT/$1.perf" \
    -- sleep "$DURATION" >/dev/null 2>&1 &
  perf_pid=$!
}

perf_end() {
  [[ -n ${perf_pid:-} ]] || return 0
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=""
  awk -F, -v d="$DURATION" '$3 == "context-switches" { cs = $1 } $3 == "raw_syscalls:sys_enter" { sc = $1 }
      END { if (sc != "") printf "forwarder: %.0f syscalls/s, %.0f context switches/s\n", sc / d, cs / d }' "$OUT/$1.perf" \
    >"$OUT/$1.perf.txt" 2>/dev/null || true
}

iperf_client() {
  local name=$1; shift
  local json="$OUT/$name.json"
  perf_start "$name"
  in_ns "$H1" timeout --foreground $((DURATION + 30)) iperf3 -c "$IP2" -t "$DURATION" -J "$@" >"$json" 2>&1 || true
  perf_end "$name"
  if jq -e '.error' "$json" >/dev/null 2>&1 || ! jq -e '.end' "$json" >/dev/null 2>&1; then
    log "$name failed: $(jq -r '.error // empty' "$json" 2>/dev/null || head -c 200 "$json")"
    return 1
  fi
}

# Gbit/s received by the server.
tcp_gbps() {
  local name=$1; shift
  iperf_client "$name" "$@" || { echo nan; return; }
  jq -r '.end.sum_received.bits_per_second / 1e9' "$OUT/$name.json" | awk '{ printf "%.2f\n", $1 }'
}

# Datagrams per second that reached the server (its count: sent minus lost), over the test's length.
udp_pps() {
  local name=$1
  iperf_client "$name" -u -l 64 -b 0 || { echo nan; return; }
  jq -r '.end.sum as $s | ($s.packets - $s.lost_packets) / $s.seconds' "$OUT/$name.json"
}

# Pings h2 from h1; the summary line is kept in OUT/NAME.txt.
ping_run() {
  in_ns "$H1" ping -q -c "$PINGS" -i 0.01 -W 1 "$IP2" >"$OUT/$1.txt" 2>&1 || true
}

# RTT in microseconds from a ping summary: field 1 for the minimum, 2 for the average.
ping_us() {
  awk -v f="$2" '/^(rtt|round-trip)/ { split($0, sides, "= "); split(sides[2], v, "/"); printf "%.1f\n", v[f] * 1000; found = 1 }
      END { if (!found) print "nan" }' "$OUT/$1.txt"
}

METRICS=(tcp1 tcp4 udp64 ping pingmin)
declare -A LABEL=([tcp1]="TCP 1 stream (Gbit/s)" [tcp4]="TCP 4 streams (Gbit/s)"
  [udp64]="UDP 64 B (kpps received)" [ping]="ping RTT avg (us)" [pingmin]="ping RTT min (us)")
declare -A VALUES=()
declare -A STATUS=()

# Unrecorded traffic, so that the agent's frame path is compiled before anything is measured.
warm_up() {
  [[ $WARMUP -gt 0 ]] || return 0
  in_ns "$H1" timeout --foreground $((WARMUP + 30)) iperf3 -c "$IP2" -t "$WARMUP" >/dev/null 2>&1 || true
  in_ns "$H1" timeout --foreground 31 iperf3 -c "$IP2" -t 1 -u -l 64 -b 0 >/dev/null 2>&1 || true
}

measure() {
  local scenario=$1 round=$2 tcp1 tcp4 udp ping pingmin
  warm_up
  tcp1=$(tcp_gbps "$scenario-tcp1-$round")
  tcp4=$(tcp_gbps "$scenario-tcp4-$round" -P 4)
  udp=$(udp_pps "$scenario-udp64-$round")
  [[ $udp == nan ]] || udp=$(awk -v p="$udp" 'BEGIN { printf "%.1f", p / 1000 }')
  ping_run "$scenario-ping-$round"
  ping=$(ping_us "$scenario-ping-$round" 2)
  pingmin=$(ping_us "$scenario-ping-$round" 1)
  VALUES[$scenario,tcp1]+="$tcp1 "
  VALUES[$scenario,tcp4]+="$tcp4 "
  VALUES[$scenario,udp64]+="$udp "
  VALUES[$scenario,ping]+="$ping "
  VALUES[$scenario,pingmin]+="$pingmin "
  log "$scenario round $round: tcp1 $tcp1 Gbit/s, tcp4 $tcp4 Gbit/s, udp64 $udp kpps, ping avg $ping us, min $pingmin us"
  local m
  for m in tcp1 tcp4 udp64; do
    [[ -s $OUT/$scenario-$m-$round.perf.txt ]] && log "  $m $(cat "$OUT/$scenario-$m-$round.perf.txt")"
  done
  return 0
}

# Prints where the forwarding threads (tapswitch-loop-*, tapswitch-port-* before event loops) were when sampled: the top frame of each stack in
# a JFR recording's events of one kind. jdk.ExecutionSample sees threads running Java code;
# jdk.NativeMethodSample sees those in native code (read, write, poll through JNA), where a port
# thread waiting on, or copying through, the kernel is.
hot_frames() {
  local event=$1; shift
  local tops="$OUT/tops.txt" recording
  : >"$tops"
  for recording in "$@"; do
    [[ -s $recording ]] || { log "no recording at $recording"; continue; }
    jfr print --events "$event" "$recording" 2>/dev/null |
      awk '/sampledThread = / { port = ($0 ~ /"tapswitch-(loop|port)-/) }
           /stackTrace = \[/ && port { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print }' >>"$tops"
  done
  echo "  $(wc -l <"$tops") samples of port threads"
  sort "$tops" | uniq -c | sort -rn |
    awk -v total="$(wc -l <"$tops")" 'NR <= 15 { n = $1; $1 = ""; printf "%6.1f%% %s\n", 100 * n / total, $0 }'
  rm -f "$tops"
}

# One round of one scenario: build it, measure, tear it down. A scenario that cannot be built is
# marked unavailable and not tried again; a peer that cannot run here was marked skipped before.
run_round() {
  local scenario=$1 round=$2
  [[ ${STATUS[$scenario]:-} == unavailable || ${STATUS[$scenario]:-} == skipped ]] && return
  log "== $scenario, round $round"
  local kind=${scenario%%+*}
  if ! "setup_${kind//-/_}" "$round" "$scenario" || ! reachable || ! start_iperf_server; then
    STATUS[$scenario]=unavailable
    WHY[$scenario]="could not be built or h1 did not reach h2 (see $OUT)"
    log "$scenario: unavailable (see $OUT); skipping it"
    teardown
    return
  fi
  measure "$scenario" "$round"
  STATUS[$scenario]=ok
  teardown
}

is_tapswitch() { [[ ${1%%+*} == tap || ${1%%+*} == netdev ]]; }

is_peer() { [[ " ${PEERS[*]} " == *" $1 "* ]]; }

# The C reference on the same kind of port as a tapswitch scenario.
same_kind_peer() {
  case ${1%%+*} in
    tap) echo tapfwd ;;
    netdev) echo tapfwd-packet ;;
  esac
}

print_profiles() {
  local scenario event
  for scenario in $SCENARIOS; do
    is_tapswitch "$scenario" && [[ ${STATUS[$scenario]:-} == ok ]] || continue
    for event in jdk.ExecutionSample jdk.NativeMethodSample; do
      log "$scenario: top frames of the port threads, $event (all rounds):"
      hot_frames "$event" "$OUT/$scenario"-[0-9]*.jfr | tee "$OUT/$scenario-$event.txt" >&2
    done
  done
}

median() {
  tr ' ' '\n' | awk 'NF && $1 != "nan"' | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# a / b as "0.83x", or "-" when either is missing.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "-"; else printf "%.2fx\n", a / b }'
}

# Lower is better for round-trip times, higher for everything else.
better() {
  local m=$1 a=$2 b=$3
  if [[ $m == ping || $m == pingmin ]]; then
    awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < b) }'
  else
    awk -v a="$a" -v b="$b" 'BEGIN { exit !(a > b) }'
  fi
}

# The peer with the best median on metric m in this run, as "NAME VALUE"; nothing when no peer ran.
best_peer() {
  local m=$1 scenario best="" value=""
  for scenario in $SCENARIOS; do
    is_peer "$scenario" && [[ ${STATUS[$scenario]:-} == ok && ${MEDIAN[$scenario,$m]} != nan ]] || continue
    if [[ -z $best ]] || better "$m" "${MEDIAN[$scenario,$m]}" "$value"; then
      best=$scenario
      value=${MEDIAN[$scenario,$m]}
    fi
  done
  [[ -z $best ]] || echo "$best $value"
}

# --- main ---

if [[ " $SCENARIOS " == *" tap"[\ +]* || " $SCENARIOS " == *" netdev"* ]]; then
  [[ -f $jar ]] || die "$jar is missing: build it first (mvn -B -q -ntp install -DskipTests)"
fi
declare -A WHY=()
for scenario in $SCENARIOS; do
  case $scenario in
    bridge|tap|netdev) ;;
    tap+*|netdev+*)
      [[ ${scenario#*+} =~ ^[A-Za-z0-9_]+$ ]] || die "scenario '$scenario': a label is letters, digits and _"
      ;;
    tapfwd|tapfwd-packet|tapfwd-poll|vde)
      if ! why=$(peer_prerequisite "$scenario"); then
        STATUS[$scenario]=skipped
        WHY[$scenario]=$why
        log "$scenario: skipped: $why"
      fi
      ;;
    *) die "unknown scenario '$scenario' (bridge, tap, netdev, tap+LABEL, netdev+LABEL, ${PEERS[*]})" ;;
  esac
done
log "results and logs in $OUT; $REPEATS rounds of ${DURATION}s; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Rounds are interleaved (bridge, tap, netdev, the peers, bridge, ...) so that a change in the
# machine's load during the run falls on every scenario alike instead of on whichever ran last.
for ((round = 1; round <= REPEATS; round++)); do
  for scenario in $SCENARIOS; do
    run_round "$scenario" "$round"
  done
done
[[ $PROFILE == 1 ]] && print_profiles
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A MEDIAN=()
declare -A SHORT=([tcp1]="TCP1 Gbit/s" [tcp4]="TCP4 Gbit/s" [udp64]="UDP64 kpps" [ping]="ping avg us"
  [pingmin]="ping min us")
RATIO_METRICS=(tcp1 tcp4 udp64 ping)
for scenario in $SCENARIOS; do
  for m in "${METRICS[@]}"; do
    MEDIAN[$scenario,$m]=$(median <<<"${VALUES[$scenario,$m]:-}")
  done
done

{
  echo "# bench/run.sh $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores, REPEATS=$REPEATS DURATION=${DURATION}s"
  echo "# load average after: $load_after; medians over the rounds"
  printf '%-18s' "scenario"
  for m in "${METRICS[@]}"; do printf '%14s' "${SHORT[$m]}"; done
  echo
  for scenario in $SCENARIOS; do
    printf '%-18s' "$scenario"
    if [[ ${STATUS[$scenario]:-} != ok ]]; then
      echo "  ${STATUS[$scenario]:-unavailable}: ${WHY[$scenario]:-}"
      continue
    fi
    for m in "${METRICS[@]}"; do printf '%14s' "${MEDIAN[$scenario,$m]}"; done
    echo
  done

  compared=""
  for scenario in $SCENARIOS; do
    is_tapswitch "$scenario" && [[ ${STATUS[$scenario]:-} == ok ]] && compared=1
  done
  if [[ -n $compared ]]; then
    echo "# tapswitch against the others, ratios of medians: to the bridge's; to the best peer's on that"
    echo "# figure (best of the peers that ran, named); to the C reference's on the same port kind"
    echo "# (tap: tapfwd = tapfwd -v, netdev: tapfwd-packet = tapfwd -P). Ping: below 1.00x is better."
  fi
  for scenario in $SCENARIOS; do
    is_tapswitch "$scenario" && [[ ${STATUS[$scenario]:-} == ok ]] || continue
    same=$(same_kind_peer "$scenario")
    printf '%-26s%10s%10s  %-24s%s\n' "$scenario" "median" "x bridge" "x best peer" "x $same"
    for m in "${RATIO_METRICS[@]}"; do
      value=${MEDIAN[$scenario,$m]}
      to_bridge=-
      [[ ${STATUS[bridge]:-} == ok ]] && to_bridge=$(ratio "$value" "${MEDIAN[bridge,$m]}")
      to_best=-
      read -r best best_value <<<"$(best_peer "$m")" || true
      [[ -n ${best:-} ]] && to_best="$(ratio "$value" "$best_value") ($best)"
      to_same=-
      [[ ${STATUS[$same]:-} == ok ]] && to_same=$(ratio "$value" "${MEDIAN[$same,$m]}")
      printf '  %-24s%10s%10s  %-24s%s\n' "${LABEL[$m]}" "$value" "$to_bridge" "$to_best" "$to_same"
    done
  done

  echo "# raw values per round:"
  for scenario in $SCENARIOS; do
    for m in "${METRICS[@]}"; do
      if [[ -n ${VALUES[$scenario,$m]:-} ]]; then
        echo "#   $scenario $m: ${VALUES[$scenario,$m]}"
      fi
    done
  done
} | tee "$OUT/results.txt"
