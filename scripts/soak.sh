#!/usr/bin/env bash
# Soak test of the agent (root; not run in CI). Runs `tapswitch run --config` with three namespace
# hosts on veth (netdev) ports and, for DURATION seconds (default 600), keeps it busy with:
#   - iperf3 TCP h1 -> h2 (rate-capped, so the box stays usable),
#   - ping h3 -> h1 every 200 ms (loss is reported at the end),
#   - port churn through the REST API: a TAP port added and removed every ~2 s,
#   - MAC churn: h3 sends frames from random source MACs (about 2000 a second).
# Every INTERVAL seconds (default 60) it prints the agent's open fds, threads, heap after a full
# GC, and FDB counters. Everything it creates is named tssk-* and removed on exit, also on Ctrl-C.
#
#   sudo scripts/soak.sh                 # 10 minutes
#   sudo DURATION=120 INTERVAL=30 scripts/soak.sh
set -euo pipefail

DURATION=${DURATION:-600}
INTERVAL=${INTERVAL:-60}
P=tssk
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${TAPSWITCH_JAR:-$top/agent/target/tapswitch-agent.jar}"

[ "$(id -u)" = 0 ] || { echo "soak: needs root" >&2; exit 1; }
for tool in ip iperf3 ping curl jcmd python3; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (scripts/host-setup.sh installs the tools)" >&2; exit 1; }
done
if [ ! -f "$jar" ]; then
  echo "soak: building the agent..." >&2
  (cd "$top" && mvn -B -q -ntp -DskipTests -pl agent -am install) >&2
fi

work="$(mktemp -d /tmp/tssk.XXXXXX)"
pids=()
agent_pid=""

cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid"
    for _ in $(seq 1 100); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$agent_pid" 2>/dev/null && kill -KILL "$agent_pid"
  fi
  wait 2>/dev/null
  for i in 1 2 3; do ip link del "$P-v$i" 2>/dev/null; ip netns del "$P-h$i" 2>/dev/null; done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$P-c" ); do ip link del "$l"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# hosts: namespace $P-hN, veth $P-vN (switch side, root namespace) <-> $P-vNe (host side)
for i in 1 2 3; do
  ip netns del "$P-h$i" 2>/dev/null || true
  ip link del "$P-v$i" 2>/dev/null || true
  ip netns add "$P-h$i"
  ip -n "$P-h$i" link set lo up
  ip link add "$P-v$i" type veth peer name "$P-v${i}e" netns "$P-h$i"
  sysctl -q -w "net.ipv6.conf.$P-v$i.disable_ipv6=1"
  ip link set "$P-v$i" up   # before the agent binds to it: binding to a down link reports ENETDOWN
  ip -n "$P-h$i" link set "$P-v${i}e" address "02:00:00:07:00:0$i" up
  ip -n "$P-h$i" addr add "198.18.7.$i/24" dev "$P-v${i}e"
done

cat >"$work/switch.yaml" <<EOF
name: soak
http:
  host: 127.0.0.1
  port: 0
ports:
  - {name: $P-v1, kind: netdev}
  - {name: $P-v2, kind: netdev}
  - {name: $P-v3, kind: netdev}
EOF

java -Xmx256m -jar "$jar" run --config "$work/switch.yaml" >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 600); do
  grep -q '^api: http' "$work/agent.log" && break
  kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log" >&2; echo "soak: agent died" >&2; exit 1; }
  sleep 0.1
done
api="$(sed -n 's/^api: //p' "$work/agent.log" | head -1)"
[ -n "$api" ] || { cat "$work/agent.log" >&2; echo "soak: agent did not start" >&2; exit 1; }
echo "soak: agent pid $agent_pid, API $api, duration ${DURATION}s, sample every ${INTERVAL}s"

ip netns exec "$P-h1" ping -c 3 -W 2 198.18.7.2 >/dev/null || { echo "soak: h1 cannot reach h2" >&2; exit 1; }

# traffic
ip netns exec "$P-h2" iperf3 -s -p 5401 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
ip netns exec "$P-h1" iperf3 -c 198.18.7.2 -p 5401 -t "$DURATION" -b 300M -i 0 >"$work/iperf3.txt" 2>&1 &
pids+=($!)
ip netns exec "$P-h3" ping -q -i 0.2 -w "$DURATION" 198.18.7.1 >"$work/ping.txt" 2>&1 &
pids+=($!)

# MAC churn: random source MACs (unicast, locally administered) to unknown destinations
ip netns exec "$P-h3" python3 - "$P-v3e" "$DURATION" >"$work/macs.txt" 2>&1 <<'PY' &
import os, socket, sys, time
iface, duration = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
end, sent = time.time() + duration, 0
while time.time() < end:
    for _ in range(100):
        r = bytearray(os.urandom(12))
        r[0] = (r[0] & 0xfe) | 0x02
        r[6] = (r[6] & 0xfe) | 0x02
        s.send(bytes(r) + b'\x88\xb5' + bytes(46))
        sent += 1
    time.sleep(0.05)
print(sent)
PY
pids+=($!)

# port churn through the REST API
(
  n=0
  end=$((SECONDS + DURATION))
  while [ "$SECONDS" -lt "$end" ]; do
    name="$P-c$((n % 10))"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d "{\"name\":\"$name\",\"kind\":\"tap\",\"create\":\"create\"}" "$api/ports")
    [ "$code" = 201 ] || echo "soak: POST /ports $name -> $code" >&2
    sleep 1
    code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$api/ports/$name")
    [ "$code" = 204 ] || echo "soak: DELETE /ports/$name -> $code" >&2
    n=$((n + 1))
    echo "$n" >"$work/churn.txt"
    sleep 1
  done
) &
pids+=($!)

sample() {
  local fds threads heap fdb
  fds=$(ls "/proc/$agent_pid/fd" | wc -l)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent_pid/status")
  jcmd "$agent_pid" GC.run >/dev/null 2>&1 || true
  heap=$(jcmd "$agent_pid" GC.heap_info 2>/dev/null | grep -m1 -o 'used [0-9]*K' | tr -dc 0-9)
  fdb=$(curl -s "$api/stats" | python3 -c 'import json,sys; f=json.load(sys.stdin)["fdb"]; print("fdb %d/%d learned %d evicted %d" % (f["entries"], f["capacity"], f["learned"], f["evicted"]))' 2>/dev/null || echo "fdb ?")
  printf 'soak: t=%4ds  fds %4s  threads %3s  heap after GC %6s KB  %s  port cycles %s\n' \
    "$1" "$fds" "$threads" "${heap:-?}" "$fdb" "$(cat "$work/churn.txt" 2>/dev/null || echo 0)"
}

start=$SECONDS
sample 0
while [ $((SECONDS - start)) -lt "$DURATION" ]; do
  left=$((DURATION - (SECONDS - start)))
  sleep $((left < INTERVAL ? left : INTERVAL))
  kill -0 "$agent_pid" 2>/dev/null || { echo "soak: the agent died" >&2; tail -50 "$work/agent.log" >&2; exit 1; }
  sample $((SECONDS - start))
done

sleep 3
echo "soak: ping h3 -> h1: $(grep -o '[0-9]* packets transmitted, [0-9]* received, [0-9.]*% packet loss' "$work/ping.txt" || echo 'no summary')"
echo "soak: iperf3 h1 -> h2: $(grep -E 'receiver' "$work/iperf3.txt" | tail -1 | awk '{print $5, $6, $7, $8}' || true)"
echo "soak: random source MACs sent: $(cat "$work/macs.txt" 2>/dev/null)"
echo "soak: ports added and removed through the API: $(cat "$work/churn.txt" 2>/dev/null || echo 0)"
echo "soak: warnings and errors in the agent log: $(grep -cE ' (WARN|ERROR) ' "$work/agent.log" || true)"
grep -E ' (WARN|ERROR) ' "$work/agent.log" | head -10 | sed 's/^/soak:   /' || true
