#!/usr/bin/env bash
# The README's first command on a fresh Debian 12 machine, checked by hand: builds a bookworm root
# file system from the Debian mirror (mmdebstrap; by default the "important" variant, what a
# minimal installation has), imports it into Docker, copies a clone of this repository's current
# branch into it (no target/ directories, no JDK, no Maven), and runs 'bin/tapswitch demo' there
# as root. It then
# checks that the demo installed what it needs, built the agent and brought up its hosts, that
# 'ip netns exec tsdemo-h1 ping -c3 198.18.0.3' passes, and that SIGTERM tears everything down.
#
# Not a CI test: it downloads several hundred MB (the root file system, the JDK and Maven from
# the Debian mirror, the build's dependencies from Maven Central) and takes 5-15 minutes (4 on a
# quiet machine with a fast mirror).
# docs/reliability.md ("The demo on a fresh machine") has the last run's result.
#
# The container shares the host's network namespace (--network host: apt and Maven need the
# network, and dockerd may run without a bridge), so the demo's TAPs are made in the host's
# kernel: the script refuses to start while another demo runs, and removes what it made
# (container, image, any tsdemo-* link) however it ends. With DEMO_ARGS=--vms the guests' ports
# (ts-vm1-0, ts-vm2-0, the names of vm-configs/two-vms.yaml) are made there too: do not run it
# beside tests that bring that lab up.
#
# The only thing taken from this machine besides the clone: its local CAs, when it has any (see
# below).
#
# Usage (as root, Docker running): scripts/fresh-machine-check.sh [LOG_DIR]
# Environment: SUITE (default bookworm), VARIANT (mmdebstrap's; default important, as Debian's
#              installer leaves a minimal system; minbase is smaller still, like Docker's debian
#              image, without iproute2 or procps), MIRROR (default http://deb.debian.org/debian),
#              CPUS (the container's CPU limit, default 1), KEEP_IMAGE=1 keeps the image,
#              DEMO_ARGS (say --vms: the demo's QEMU guests too, TCG; another 300 MB).
set -euo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite=${SUITE:-bookworm}
variant=${VARIANT:-important}
mirror=${MIRROR:-http://deb.debian.org/debian}
cpus=${CPUS:-1}
demo_args=${DEMO_ARGS:-}
logs=${1:-$(mktemp -d /tmp/tapswitch-fresh.XXXXXX)}
name="tsfresh-$$"
image="tsfresh-$suite:$$"
work=$(mktemp -d /tmp/tsfresh-work.XXXXXX)
READY_SECONDS=1800   # install + first build on one CPU
STOP_SECONDS=30

log() { printf '[fresh-machine] %s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$logs/check.log" >&2; }
fail() { log "FAILED: $*"; exit 1; }

mkdir -p "$logs"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "no Docker engine answers (scripts/host-setup.sh starts one)" >&2; exit 1; }
if ip link show 2>/dev/null | grep -q 'tsdemo-' || pgrep -f 'tapswitch-agent.jar demo' >/dev/null; then
  echo "a tapswitch demo seems to run on this machine (tsdemo-* links); stop it first" >&2
  exit 1
fi
if [[ " $demo_args " == *" --vms "* ]] && ip link show ts-vm1-0 >/dev/null 2>&1; then
  echo "ts-vm1-0 exists: a two-vms lab (a test's, a demo's) is up on this machine; stop it first" >&2
  exit 1
fi

cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  [ "${KEEP_IMAGE:-0}" = 1 ] || docker rmi "$image" >/dev/null 2>&1 || true
  local l
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^tsdemo-' || true); do
    log "removing leftover link $l"
    ip link del "$l" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

in_box() { docker exec "$name" "$@"; }

if ! command -v mmdebstrap >/dev/null; then
  log "installing mmdebstrap"
  apt-get install -y -qq --no-install-recommends mmdebstrap >>"$logs/check.log" 2>&1
fi
log "building a $suite root file system ($variant) from $mirror (logs in $logs)"
mmdebstrap --variant="$variant" --include=ca-certificates "$suite" "$work/rootfs.tar" "$mirror" \
  >"$logs/mmdebstrap.log" 2>&1 || fail "mmdebstrap (see $logs/mmdebstrap.log)"
docker import "$work/rootfs.tar" "$image" >/dev/null
rm -f "$work/rootfs.tar"

branch=$(git -C "$top" rev-parse --abbrev-ref HEAD)
git clone -q --branch "$branch" "$top" "$work/tapswitch"
log "clone of $branch at $(git -C "$work/tapswitch" log --oneline -1)"

# --privileged where the engine can grant every capability. Where this machine itself runs
# without some (inside a container or a sandbox: runc then fails with "unable to apply caps"), the
# container gets all it has, and the confinement --privileged would lift is lifted by hand:
# namespaces need unconfined seccomp and AppArmor, the demo's sysctls a writable /proc/sys, its
# TAPs /dev/net/tun.
bounding=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
drop=()
for ((bit = 0; bit <= $(cat /proc/sys/kernel/cap_last_cap); bit++)); do
  if (((bounding >> bit & 1) == 0)); then
    cap=$(capsh --decode="$(printf 0x%x $((1 << bit)))" | cut -d= -f2)
    cap=${cap#cap_}; drop+=(--cap-drop "${cap^^}")
  fi
done
if ((${#drop[@]} == 0)); then
  powers=(--privileged)
else
  log "this machine lacks capabilities (${drop[*]}): the container gets the others, not --privileged"
  powers=(--cap-add ALL "${drop[@]}" --security-opt seccomp=unconfined --security-opt apparmor=unconfined
    --security-opt systempaths=unconfined --device /dev/net/tun)
fi
docker run -d --name "$name" "${powers[@]}" --network host --cpus "$cpus" "$image" sleep infinity >/dev/null
docker cp "$work/tapswitch" "$name:/root/tapswitch"
for tool in java javac mvn; do
  if in_box sh -c "command -v $tool" >/dev/null 2>&1; then fail "$tool is already in the fresh image"; fi
done
# Where this machine reaches the Internet through a TLS-inspecting proxy, Maven Central's
# certificate is signed by the proxy's CA, which this machine trusts and a fresh one does not:
# its local CAs go in too (a real machine behind that proxy would need them as well). Added before
# the JDK is installed, they end up in its trust store with the rest.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  in_box mkdir -p /usr/local/share/ca-certificates
  for crt in /usr/local/share/ca-certificates/*.crt; do docker cp "$crt" "$name:$crt"; done
  in_box update-ca-certificates >>"$logs/check.log" 2>&1
  log "copied this machine's local CAs in: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
log "no java, javac or mvn in the container; running 'bin/tapswitch demo${demo_args:+ $demo_args}' as root"

# The launcher execs java, so the shell's PID becomes the demo's: SIGTERM goes to it.
in_box bash -c 'cd /root/tapswitch && echo $$ >/root/demo.pid && exec bin/tapswitch demo '"$demo_args"' </dev/null >/root/demo.log 2>&1' &
demo_shell=$!
start=$SECONDS
until in_box grep -q 'Press Ctrl-C to stop' /root/demo.log 2>/dev/null; do
  if ! kill -0 "$demo_shell" 2>/dev/null; then
    in_box cat /root/demo.log >"$logs/demo.log" 2>&1 || true
    fail "the demo ended before it was ready after $((SECONDS - start)) s (see $logs/demo.log)"
  fi
  ((SECONDS - start < READY_SECONDS)) || fail "not ready after $READY_SECONDS s"
  sleep 5
done
log "demo ready after $((SECONDS - start)) s"
in_box cat /root/demo.log >"$logs/demo.log"
in_box sh -c 'for t in java mvn ip; do command -v $t; done' | tee -a "$logs/check.log"

in_box ip netns list | tee -a "$logs/check.log"
in_box ip netns exec tsdemo-h1 ping -c3 198.18.0.3 2>&1 | tee "$logs/ping.log" | tee -a "$logs/check.log"
grep -q ' 0% packet loss' "$logs/ping.log" || fail "tsdemo-h1 cannot ping 198.18.0.3"
log "ping from tsdemo-h1 to 198.18.0.3 passes"
if [[ " $demo_args " == *" --vms "* ]]; then
  up=$(grep -c ' is up after ' "$logs/demo.log" || true)
  [ "$up" -ge 2 ] || fail "the demo's two QEMU guests did not both come up (see $logs/demo.log)"
  grep ' is up after ' "$logs/demo.log" | tee -a "$logs/check.log"
fi

in_box sh -c 'kill -TERM "$(cat /root/demo.pid)"'
for ((i = 0; i < STOP_SECONDS; i++)); do
  kill -0 "$demo_shell" 2>/dev/null || break
  sleep 1
done
kill -0 "$demo_shell" 2>/dev/null && fail "the demo did not stop within $STOP_SECONDS s of SIGTERM"
wait "$demo_shell" && rc=0 || rc=$?
in_box cat /root/demo.log >"$logs/demo.log"
log "demo exited with status $rc after SIGTERM"
left_ns=$(in_box ip netns list | grep -c tsdemo- || true)
left_links=$(ip -o link show | grep -c 'tsdemo-' || true)
[ "$left_ns" = 0 ] || fail "$left_ns tsdemo namespaces remain after SIGTERM"
[ "$left_links" = 0 ] || fail "$left_links tsdemo links remain after SIGTERM"
log "SIGTERM removed the demo's namespaces and links"
log "PASSED"
