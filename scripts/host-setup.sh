#!/usr/bin/env bash
# Prepares a Debian 12 machine (a developer's or CI's) for tapswitch's tests.
#
# The machine a test run lands on may be brand new, so this script assumes
# nothing: it installs the Debian packages the tests call, makes sure the TUN
# device exists, and starts a Docker engine configured so that it does not
# interfere with bridged test traffic. Running it again is harmless.
#
# Usage (as root): scripts/host-setup.sh
set -euo pipefail

# The package lists (and apt_retry, missing_packages) are shared with bin/tapswitch's demo set-up.
# shellcheck source=packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

# Node runs the web console's unit tests ('node --test', from 'mvn verify'; Node 18 or newer).
# Debian's nodejs is installed only where no node is on the PATH: a newer Node that came another
# way (a vendor's package, a tarball) is kept, never replaced by Debian's older one.
NODE_PACKAGE=nodejs
NODE_MIN_MAJOR=18

DOCKERD_LOG=/var/log/tapswitch-dockerd.log
DOCKER_WAIT_SECONDS=60

log() { printf '[host-setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

install_packages() {
  local missing=()
  mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
  if ! command -v node >/dev/null 2>&1; then
    missing+=("$NODE_PACKAGE")
  fi
  apt_retry update
  if ((${#missing[@]} == 0)); then
    log "all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  log "installing: ${missing[*]}"
  apt_retry install -y --no-install-recommends "${missing[@]}"
}

check_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if ((major < NODE_MIN_MAJOR)); then
    log "WARNING: $(command -v node || echo node) is $(node --version 2>/dev/null || echo missing); the web" >&2
    log "WARNING: console's tests need Node $NODE_MIN_MAJOR or newer ('node --test')." >&2
    return 0
  fi
  log "node $(node --version) runs the web console's tests"
}

ensure_tun() {
  if [[ ! -c /dev/net/tun ]]; then
    modprobe tun 2>/dev/null || log "modprobe tun failed (built-in or no modules); creating the node by hand"
  fi
  if [[ ! -c /dev/net/tun ]]; then
    mkdir -p /dev/net
    mknod /dev/net/tun c 10 200
  fi
  # As Debian's udev leaves it: the agent running as its own user, and unprivileged QEMU, open it
  # (what they may do with it is the kernel's capability check, not the file mode).
  chmod 0666 /dev/net/tun
  if ! (: <>/dev/net/tun) 2>/dev/null; then
    log "/dev/net/tun exists but cannot be opened" >&2
    exit 1
  fi
  log "/dev/net/tun is usable"
}

# Modules that the scenarios use; each may be built in, so a failure is only noted.
load_modules() {
  local module
  for module in veth bridge; do
    modprobe "$module" 2>/dev/null || true
  done
}

# An engine started some other way (say, by the package's init script) may have
# its default bridge and iptables rules; it is left alone, but the tests' bridged
# frames may then vanish, so say so.
warn_if_engine_filters_bridges() {
  if [[ -n $(docker network ls --quiet --filter driver=bridge 2>/dev/null) ]]; then
    log "WARNING: the running engine has a bridge network, so it was not started with" >&2
    log "WARNING: --bridge=none --iptables=false; bridged test traffic may be dropped." >&2
    log "WARNING: stop it and rerun this script to start a suitable one." >&2
  fi
}

# Docker's own bridge and iptables rules, together with br_netfilter, silently
# drop bridged test frames, so the engine runs without either. The daemon is
# started only when none answers, which keeps an already configured engine.
ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    log "docker engine already running"
    warn_if_engine_filters_bridges
    return 0
  fi
  if pgrep -x dockerd >/dev/null; then
    log "dockerd is running but not answering yet; waiting for it"
  else
    log "starting dockerd (log: $DOCKERD_LOG)"
    # Descriptors 3-9 are closed: a caller that runs this script under flock(1) holds its lock on
    # one of them, and a daemon that inherited it would keep that lock for as long as it runs.
    nohup dockerd --bridge=none --iptables=false >>"$DOCKERD_LOG" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    disown || true
  fi
  local waited
  for ((waited = 0; waited < DOCKER_WAIT_SECONDS; waited++)); do
    if docker info >/dev/null 2>&1; then
      log "docker engine ready after ${waited} s"
      return 0
    fi
    sleep 1
  done
  log "docker engine did not answer within ${DOCKER_WAIT_SECONDS} s; last log lines:" >&2
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  exit 1
}

install_packages
check_node
load_modules
ensure_tun
ensure_dockerd
log "done"
