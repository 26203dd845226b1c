#!/usr/bin/env bash
# Measures the multi-host fabric against the kernel's own answer to the same problem, on one
# topology built two ways on one machine:
#
#   kernel   h1 --veth-- [bridge + vxlan] == underlay == [vxlan + bridge] --veth-- h2
#   fabric   h1 --TAP--  [tapswitch agent] == underlay == [tapswitch agent] --TAP--  h2
#
# Each side of the underlay is a namespace (tsfb-a, tsfb-b) joined by one veth pair
# (198.19.70.1/.2); the hosts are namespaces tsfb-h1, tsfb-h2 (198.18.70.1/.2). In the fabric
# scenario each side runs 'tapswitch run' (cluster + vxlan sections) in its namespace; the hosts sit
# on TAP ports in VLAN 10 (VNI 10010), as a VM would. In the kernel scenario each side has a Linux
# bridge with a vxlan device (VNI 10010, the other side as its only flood entry) and a veth to the
# host. Both carry the same VXLAN over the same underlay, with DF.
#
# Each of REPEATS rounds builds both scenarios in turn, at each underlay MTU in MTUS (the hosts keep
# MTU 1500: what a guest has), and measures iperf3 TCP with 1 and 4 streams and ping RTT; it prints
# the medians and the fabric's ratio to the kernel pair in the same run. After each fabric run it
# keeps both agents' tunnel counters (GET /api/v1/fabric: datagrams, UDP segmentation runs,
# partial-checksum datagrams, GRO reads, merged frames) and port counters (GET /api/v1/stats) in
# OUT and logs the tunnel's.
#
# Knobs of the agent's tunnel, to compare with FABRICS/OPTS_: -Dtapswitch.udpSegmentation=false,
# -Dtapswitch.udpGro=false, -Dtapswitch.partialChecksums=false.
#
# Usage (as root):  bench/fabric.sh
# Environment:
#   REPEATS=3  DURATION=5  WARMUP=3  PINGS=50  MTUS="1500 9000"
#   JAVA_OPTS=...   extra JVM options for the agents
#   FABRICS="fabric"  fabric variants to measure in each round, each against the same kernel pair;
#                   variant NAME's agents get the JVM options in OPTS_NAME on top of JAVA_OPTS, e.g.
#                   FABRICS="fabric nogro plain" OPTS_nogro=-Dtapswitch.udpGro=false \
#                   OPTS_plain="-Dtapswitch.udpGro=false -Dtapswitch.udpSegmentation=false"
#   DATAPATH_NAME   variant NAME's agents get this as their config's datapath section, e.g.
#                   FABRICS="fabric two" DATAPATH_two="{threads: 2}" (two event loops per agent)
#   PROFILE=1       record each fabric agent with Java Flight Recorder (OUT/<run>-<side>.jfr)
#   JAR=...         the agent jar (default: agent/target/tapswitch-agent.jar, built if missing);
#                   point it at a copy (its lib/ directory beside it) to keep building meanwhile
#   OUT=/tmp/...    where logs and raw numbers go (default: a new temporary directory)
set -euo pipefail

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
PINGS=${PINGS:-50}
MTUS=${MTUS:-1500 9000}
JAVA_OPTS=${JAVA_OPTS:-}
FABRICS=${FABRICS:-fabric}
PROFILE=${PROFILE:-0}

P=tsfb
NA=$P-a
NB=$P-b
H1=$P-h1
H2=$P-h2
UA=198.19.70.1
UB=198.19.70.2
IP1=198.18.70.1
IP2=198.18.70.2
TOKEN=tsfb-bench-token-0000001
JOIN_SECONDS=90

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar=${JAR:-$top/agent/target/tapswitch-agent.jar}

log() { printf '[fabric.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || { echo "bench/fabric.sh creates namespaces and devices and must run as root" >&2; exit 1; }
for tool in ip iperf3 ping java jq curl awk; do
  command -v "$tool" >/dev/null || die "'$tool' is needed"
done
if [[ ! -f $jar ]]; then
  log "building the agent jar"
  (cd "$top" && mvn -B -q -ntp -DskipTests package -pl switch-core,web-console,agent) >&2
fi

OUT=${OUT:-$(mktemp -d /tmp/tsfb-bench.XXXXXX)}
mkdir -p "$OUT"
pids=()

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# By its pid file: other benchmarks on this machine may run iperf3 servers of their own.
stop_iperf_server() {
  if [[ -s $OUT/iperf3.pid ]]; then
    kill "$(cat "$OUT/iperf3.pid")" 2>/dev/null || true
    rm -f "$OUT/iperf3.pid"
  fi
}

stop_agents() {
  local pid
  for pid in "${pids[@]:-}"; do
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]:-}"; do
    [[ -n $pid ]] || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

teardown() {
  stop_iperf_server
  stop_agents
  local ns
  for ns in "$H1" "$H2" "$NA" "$NB"; do ip netns del "$ns" 2>/dev/null || true; done
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

# The two sides, the underlay between them at MTU $1, and the two hosts.
base() {
  local mtu=$1 ns
  teardown
  for ns in "$NA" "$NB" "$H1" "$H2"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add "$P-ua" netns "$NA" type veth peer name "$P-ub" netns "$NB"
  in_ns "$NA" ip link set "$P-ua" mtu "$mtu" up
  in_ns "$NB" ip link set "$P-ub" mtu "$mtu" up
  in_ns "$NA" ip addr add "$UA/24" dev "$P-ua"
  in_ns "$NB" ip addr add "$UB/24" dev "$P-ub"
}

host_address() {
  local ns=$1 dev=$2 ip=$3
  in_ns "$ns" ip link set "$dev" name eth0
  in_ns "$ns" ip link set eth0 mtu 1500
  in_ns "$ns" ip addr add "$ip/24" dev eth0
  in_ns "$ns" ip link set eth0 up
}

setup_kernel() {
  local mtu=$1
  base "$mtu"
  local side ns local_ip remote_ip host ip
  for side in a b; do
    if [[ $side == a ]]; then ns=$NA local_ip=$UA remote_ip=$UB host=$H1 ip=$IP1
    else ns=$NB local_ip=$UB remote_ip=$UA host=$H2 ip=$IP2; fi
    in_ns "$ns" ip link add br0 type bridge stp_state 0
    in_ns "$ns" ip link add vx10 type vxlan id 10010 dstport 4789 local "$local_ip" nolearning
    in_ns "$ns" ip link set vx10 mtu $((mtu - 50)) master br0 up
    in_ns "$ns" bridge fdb append 00:00:00:00:00:00 dev vx10 dst "$remote_ip"
    in_ns "$ns" ip link add "$P-v$side" type veth peer name "$P-w$side" netns "$host"
    in_ns "$ns" ip link set "$P-v$side" master br0 up
    in_ns "$ns" ip link set br0 up
    host_address "$host" "$P-w$side" "$ip"
  done
}

agent_config() {
  local side=$1 me=$2 peer=$3 mtu=$4 datapath=${5:-}
  [[ -z $datapath ]] || echo "datapath: $datapath"
  cat <<EOF
name: $P-$side
http: {host: $me, port: 18080, token: "$TOKEN"}
cluster: {hostId: $side, address: $me, members: ["$peer"]}
vxlan: {underlayMtu: $mtu}
ports:
  - {name: $P-t$side, create: create, vlan: {mode: access, tag: 10}}
EOF
}

setup_fabric() {
  local mtu=$1 round=$2 variant=$3
  base "$mtu"
  local opts_var="OPTS_$variant"
  local opts="$JAVA_OPTS ${!opts_var:-}"
  local datapath_var="DATAPATH_$variant"
  agent_config a "$UA" "$UB" "$mtu" "${!datapath_var:-}" >"$OUT/a.yaml"
  agent_config b "$UB" "$UA" "$mtu" "${!datapath_var:-}" >"$OUT/b.yaml"
  local side
  for side in a b; do
    local ns=$NA; [[ $side == b ]] && ns=$NB
    local profile=
    if [[ $PROFILE == 1 ]]; then
      profile="-XX:StartFlightRecording=filename=$OUT/$variant-$mtu-$round-$side.jfr,settings=profile"
    fi
    # Not through in_ns: a function run in the background is a subshell, whose pid $! would be,
    # and the JVM would outlive the signals sent to it (holding this script's lock, too).
    # 'ip netns exec' execs the JVM, so $! is the JVM's pid.
    # shellcheck disable=SC2086 # options are words
    ip netns exec "$ns" java $opts $profile -jar "$jar" run --config "$OUT/$side.yaml" >"$OUT/$variant-$mtu-$round-$side.log" 2>&1 &
    pids+=($!)
  done
  local waited
  for ((waited = 0; waited < JOIN_SECONDS * 2; waited++)); do
    if grep -q "fabric: tunnel port vtep-b" "$OUT/$variant-$mtu-$round-a.log" 2>/dev/null \
        && grep -q "fabric: tunnel port vtep-a" "$OUT/$variant-$mtu-$round-b.log" 2>/dev/null; then
      log "fabric: joined and tunnelled after $((waited / 2)) s"
      in_ns "$NA" ip link set "$P-ta" netns "$H1"
      in_ns "$NB" ip link set "$P-tb" netns "$H2"
      host_address "$H1" "$P-ta" "$IP1"
      host_address "$H2" "$P-tb" "$IP2"
      return 0
    fi
    sleep 0.5
  done
  log "fabric: the agents did not join within $JOIN_SECONDS s; logs in $OUT"
  return 1
}

# Both agents' tunnel counters (GET /api/v1/fabric) and port counters (GET /api/v1/stats).
save_counters() {
  local name=$1 side ns ip tunnel
  for side in a b; do
    if [[ $side == a ]]; then ns=$NA ip=$UA; else ns=$NB ip=$UB; fi
    in_ns "$ns" curl -s -m 5 -H "Authorization: Bearer $TOKEN" "http://$ip:18080/api/v1/fabric" >"$OUT/$name-$side-fabric.json" 2>/dev/null || true
    in_ns "$ns" curl -s -m 5 -H "Authorization: Bearer $TOKEN" "http://$ip:18080/api/v1/stats" >"$OUT/$name-$side-stats.json" 2>/dev/null || true
    tunnel=$(jq -c '.tunnel // empty' "$OUT/$name-$side-fabric.json" 2>/dev/null || true)
    [[ -n $tunnel ]] && log "$name tunnel counters (side $side): $tunnel"
  done
  return 0
}

reachable() {
  local i
  for i in $(seq 1 60); do
    in_ns "$H1" ping -c 1 -W 1 "$IP2" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

tcp_gbps() {
  local name=$1; shift
  local json="$OUT/$name.json"
  in_ns "$H1" timeout --foreground $((DURATION + 30)) iperf3 -c "$IP2" -t "$DURATION" -J "$@" >"$json" 2>&1 || true
  if ! jq -e '.end.sum_received' "$json" >/dev/null 2>&1; then
    log "$name failed"
    echo nan
    return
  fi
  jq -r '.end.sum_received.bits_per_second / 1e9' "$json" | awk '{ printf "%.2f\n", $1 }'
}

ping_avg_us() {
  in_ns "$H1" ping -q -c "$PINGS" -i 0.01 -W 1 "$IP2" 2>/dev/null \
    | awk '/^(rtt|round-trip)/ { split($0, s, "= "); split(s[2], v, "/"); printf "%.1f\n", v[2] * 1000; f = 1 } END { if (!f) print "nan" }'
}

measure() {
  local scenario=$1 mtu=$2 round=$3
  reachable || { log "$scenario/$mtu: h1 cannot reach h2"; return 1; }
  in_ns "$H2" iperf3 -s -D -B "$IP2" -I "$OUT/iperf3.pid" --logfile "$OUT/iperf3-server.log"
  for _ in $(seq 1 100); do
    in_ns "$H2" ss -Htln "sport = :5201" | grep -q 5201 && break
    sleep 0.1
  done
  if ((WARMUP > 0)); then
    in_ns "$H1" iperf3 -c "$IP2" -t "$WARMUP" >/dev/null 2>&1 || true
  fi
  local t1 t4 rtt
  t1=$(tcp_gbps "$scenario-$mtu-$round-tcp1")
  t4=$(tcp_gbps "$scenario-$mtu-$round-tcp4" -P 4)
  rtt=$(ping_avg_us)
  stop_iperf_server
  printf '%s %s %s tcp1 %s\n' "$scenario" "$mtu" "$round" "$t1" >>"$OUT/raw.txt"
  printf '%s %s %s tcp4 %s\n' "$scenario" "$mtu" "$round" "$t4" >>"$OUT/raw.txt"
  printf '%s %s %s ping %s\n' "$scenario" "$mtu" "$round" "$rtt" >>"$OUT/raw.txt"
  log "$scenario underlay $mtu round $round: TCP 1 stream $t1 Gbit/s, 4 streams $t4 Gbit/s, ping avg $rtt us"
}

: >"$OUT/raw.txt"
log "rounds: $REPEATS, underlay MTUs: $MTUS, $DURATION s per iperf3 run; raw numbers in $OUT/raw.txt"
for ((round = 1; round <= REPEATS; round++)); do
  for mtu in $MTUS; do
    setup_kernel "$mtu" && measure kernel "$mtu" "$round" || log "kernel/$mtu round $round failed"
    teardown
    for variant in $FABRICS; do
      if setup_fabric "$mtu" "$round" "$variant"; then
        measure "$variant" "$mtu" "$round" || log "$variant/$mtu round $round failed"
        save_counters "$variant-$mtu-$round"
      fi
      teardown
    done
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'; }

{
  echo "tapswitch fabric vs kernel vxlan pair, $(date -u +%Y-%m-%d), $(nproc) cores, $REPEATS rounds of $DURATION s; hosts at MTU 1500"
  for variant in $FABRICS; do
    opts_var="OPTS_$variant"
    echo "  $variant: JVM options: ${JAVA_OPTS:-} ${!opts_var:-}"
  done
  printf '%-10s %-8s %14s %14s %14s\n' scenario underlay "TCP 1 (Gbit/s)" "TCP 4 (Gbit/s)" "ping avg (us)"
  for mtu in $MTUS; do
    for scenario in kernel $FABRICS; do
      printf '%-10s %-8s' "$scenario" "$mtu"
      for what in tcp1 tcp4 ping; do
        printf ' %14s' "$(awk -v s="$scenario" -v m="$mtu" -v w="$what" '$1 == s && $2 == m && $4 == w && $5 != "nan" { print $5 }' "$OUT/raw.txt" | median)"
      done
      echo
    done
    for variant in $FABRICS; do
      for what in tcp1 tcp4 ping; do
        k=$(awk -v m="$mtu" -v w="$what" '$1 == "kernel" && $2 == m && $4 == w && $5 != "nan" { print $5 }' "$OUT/raw.txt" | median)
        f=$(awk -v s="$variant" -v m="$mtu" -v w="$what" '$1 == s && $2 == m && $4 == w && $5 != "nan" { print $5 }' "$OUT/raw.txt" | median)
        awk -v k="$k" -v f="$f" -v w="$what" -v m="$mtu" -v s="$variant" 'BEGIN { if (k > 0 && f != "nan") printf "  underlay %s, %s: %s/kernel = %.2f\n", m, w, s, f / k }'
      done
    done
  done
} | tee "$OUT/results.txt"
