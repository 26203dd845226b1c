#!/usr/bin/env bash
# What a port costs the agent when nothing flows: one agent with 2 TAP ports, then one with PORTS
# (default 256), each started from a config file the way a user starts it
# ('java -jar agent/target/tapswitch-agent.jar run --config FILE'). For each it reports, once the
# agent has been idle for SETTLE seconds, from /proc/PID/status and /proc/PID/fd: the resident set
# (VmRSS), its peak (VmHWM), the number of threads and of open descriptors, and the time the agent
# took to come up; then what one more port costs. With a thread per port, the thread count grows
# with the ports; with a fixed set of event loops, it does not (issue 15).
#
# In the large agent, two hosts (network namespaces) hold the netdevs of its first and last port and
# ping each other: a switch with that many ports must still forward. The script fails if they do
# not reach each other.
#
# The agent runs in its own namespace, tsbp-sw (so its API on 127.0.0.1:8080 is its own, and the
# TAPs it creates never appear among the machine's interfaces); ports are tsbp-p1..tsbp-pN, hosts
# tsbp-h1 and tsbp-h2 (198.18.65.1/.2). Everything is named tsbp-* and removed on exit, also on
# Ctrl-C or an error.
#
# Usage (as root, from anywhere):  bench/ports.sh
# Environment:
#   PORTS=256        ports of the large agent (3..1024)
#   SETTLE=5         seconds of idleness before the agent is measured
#   JAVA_OPTS=...    extra JVM options for the agent (the heap's default size decides much of the RSS)
#   OUT=/tmp/...     where logs, configs and results.txt go (default: a new temporary directory)
set -euo pipefail

PORTS=${PORTS:-256}
SETTLE=${SETTLE:-5}
JAVA_OPTS=${JAVA_OPTS:-}

PREFIX=tsbp
SW=$PREFIX-sw
H1=$PREFIX-h1
H2=$PREFIX-h2
IP1=198.18.65.1
IP2=198.18.65.2
MASK=24
SMALL=2
AGENT_READY_SECONDS=180

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$top/agent/target/tapswitch-agent.jar"

log() { printf '[ports.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  echo "bench/ports.sh creates network namespaces and TAP devices and must run as root: sudo bench/ports.sh" >&2
  exit 1
fi
for tool in ip ping java awk; do
  command -v "$tool" >/dev/null || die "'$tool' is needed (scripts/host-setup.sh installs it)"
done
[[ $PORTS =~ ^[0-9]+$ ]] && ((PORTS >= 3 && PORTS <= 1024)) || die "PORTS must be a whole number from 3 to 1024, was '$PORTS'"
[[ $SETTLE =~ ^[0-9]+$ ]] || die "SETTLE must be a whole number of seconds, was '$SETTLE'"
[[ -f $jar ]] || die "$jar is missing: build it first (mvn -B -q -ntp install -DskipTests)"

OUT=${OUT:-$(mktemp -d /tmp/tsbp-bench.XXXXXX)}
mkdir -p "$OUT"
agent_pid=""

# --- cleanup: the agent first (it removes the TAPs it created), then the namespaces ---

stop_agent() {
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
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

teardown() {
  stop_agent
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

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

port_name() { echo "$PREFIX-p$1"; }

# Starts an agent with n TAP ports in a fresh switch namespace; dies if it does not come up.
start_agent() {
  local n=$1
  local config="$OUT/ports-$n.yaml" agent_log="$OUT/ports-$n-agent.log" i
  teardown
  ip netns add "$SW"
  in_ns "$SW" ip link set lo up
  # The TAPs the agent creates send nothing of their own (router solicitations, MLD) while idle.
  in_ns "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  {
    echo "name: $PREFIX-$n"
    echo "ports:"
    for ((i = 1; i <= n; i++)); do
      printf '  - name: %s\n    kind: tap\n    create: create\n' "$(port_name "$i")"
    done
  } >"$config"
  local started=$SECONDS
  # Not through in_ns: a function run in the background is a subshell, and $! would be its pid,
  # not the agent's (ip netns exec execs java in place, so its pid is the agent's).
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  ip netns exec "$SW" java $JAVA_OPTS -jar "$jar" run --config "$config" >"$agent_log" 2>&1 &
  agent_pid=$!
  local waited
  for ((waited = 0; waited < AGENT_READY_SECONDS * 10; waited++)); do
    if grep -q "running with $n ports" "$agent_log" 2>/dev/null; then
      STARTUP[$n]=$((SECONDS - started))
      [[ $(cat "/proc/$agent_pid/comm" 2>/dev/null) == java ]] || die "process $agent_pid is not the agent"
      return 0
    fi
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 5 "$agent_log" >&2 || true
  die "the agent with $n ports did not start (log: $agent_log)"
}

# Reads the agent's footprint into the arrays below, keyed by its port count.
measure() {
  local n=$1 status="/proc/$agent_pid/status"
  sleep "$SETTLE"
  RSS[$n]=$(awk '/^VmRSS:/ { print $2 }' "$status")
  HWM[$n]=$(awk '/^VmHWM:/ { print $2 }' "$status")
  THREADS[$n]=$(awk '/^Threads:/ { print $2 }' "$status")
  FDS[$n]=$(find "/proc/$agent_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  NAMES[$n]=$(cat /proc/"$agent_pid"/task/*/comm 2>/dev/null | sed 's/[0-9]\+$/N/' | sort | uniq -c | sort -rn |
    awk '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "%s%s x%s", sep, $0, n; sep = ", " }')
  log "$n ports: VmRSS ${RSS[$n]} kB, VmHWM ${HWM[$n]} kB, ${THREADS[$n]} threads, ${FDS[$n]} fds, up in ${STARTUP[$n]} s"
  log "  threads by name: ${NAMES[$n]}"
}

# Moves the netdev of port p into namespace ns as eth0 with address ip.
host_on_port() {
  local ns=$1 p=$2 ip=$3
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_ns "$SW" ip link set "$p" netns "$ns"
  in_ns "$ns" ip link set "$p" name eth0
  in_ns "$ns" ip addr add "$ip/$MASK" dev eth0
  in_ns "$ns" ip link set eth0 up
}

declare -A STARTUP=() RSS=() HWM=() THREADS=() FDS=() NAMES=()

log "results and logs in $OUT; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_agent "$SMALL"
measure "$SMALL"
stop_agent

start_agent "$PORTS"
measure "$PORTS"
host_on_port "$H1" "$(port_name 1)" "$IP1"
host_on_port "$H2" "$(port_name "$PORTS")" "$IP2"
ping_ok=no
if in_ns "$H1" ping -q -c 5 -i 0.2 -W 2 "$IP2" >"$OUT/ping.txt" 2>&1; then
  ping_ok=yes
fi
cat "$OUT/ping.txt" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# bench/ports.sh $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores, $(free -m | awk '/^Mem:/ { print $2 }') MiB RAM"
  echo "# idle agent, measured after ${SETTLE} s; JAVA_OPTS='$JAVA_OPTS'; load average after: $load_after"
  printf '%-8s%12s%12s%10s%8s%12s\n' ports "VmRSS MiB" "VmHWM MiB" threads fds "up in s"
  for n in "$SMALL" "$PORTS"; do
    printf '%-8s%12.1f%12.1f%10s%8s%12s\n' "$n" "$(awk -v k="${RSS[$n]}" 'BEGIN { print k / 1024 }')" \
      "$(awk -v k="${HWM[$n]}" 'BEGIN { print k / 1024 }')" "${THREADS[$n]}" "${FDS[$n]}" "${STARTUP[$n]}"
  done
  awk -v r2="${RSS[$SMALL]}" -v r="${RSS[$PORTS]}" -v t2="${THREADS[$SMALL]}" -v t="${THREADS[$PORTS]}" \
    -v f2="${FDS[$SMALL]}" -v f="${FDS[$PORTS]}" -v n2="$SMALL" -v n="$PORTS" \
    'BEGIN { d = n - n2; printf "per extra port: %.1f KiB RSS, %.2f threads, %.2f fds\n", (r - r2) / d, (t - t2) / d, (f - f2) / d }'
  echo "# threads by name, $SMALL ports: ${NAMES[$SMALL]}"
  echo "# threads by name, $PORTS ports: ${NAMES[$PORTS]}"
  echo "ping $(port_name 1) -> $(port_name "$PORTS") with $PORTS ports attached: $ping_ok ($(awk '/^(rtt|round-trip)/ { print $4 " ms min/avg/max/mdev" }' "$OUT/ping.txt"))"
} | tee "$OUT/results.txt"
[[ $ping_ok == yes ]] || die "the hosts on ports 1 and $PORTS did not reach each other"
