# The Debian packages tapswitch needs, in one place: scripts/host-setup.sh installs them all for the
# tests, bin/tapswitch installs the demo's share when 'bin/tapswitch demo' runs as root on a fresh
# machine. Sourced by both (bash); edit here when a test or the demo starts calling a new tool.

# What 'bin/tapswitch demo' needs: a JDK and Maven to build the agent, the tools it runs, and the
# ping its banner tells people to try (a minimal system, like Docker's debian image, has none).
DEMO_PACKAGES=(
  openjdk-17-jdk-headless  # the build's JDK, and the agent's runtime
  maven                    # the build itself
  iproute2                 # ip link / ip netns / ip tuntap: the demo's hosts and the labs' TAPs
  util-linux               # setpriv (guests start without privileges), nsenter
  procps                   # sysctl, pgrep
  kmod                     # modprobe
  iputils-ping             # ping and ping -6 in the demo's hosts, as its banner suggests; the namespace ITs' too
)

# What 'bin/tapswitch demo --vms' needs on top: QEMU and what the test guest is built from.
DEMO_VM_PACKAGES=(
  qemu-system-x86          # VM scenarios with real TAP-attached guests
  linux-image-amd64        # a kernel for the QEMU guests
  busybox-static           # the whole userland of the guest (and of the FROM-scratch host image)
  cpio                     # packs the guest's initramfs (vm-configs/guest/build-guest.sh); minbase lacks it
)

# Everything the test suites need (the demo's share included).
PACKAGES=(
  "${DEMO_PACKAGES[@]}"
  "${DEMO_VM_PACKAGES[@]}"
  docker.io                # engine for the lab's host containers
  tini                     # docker-init, which reaps background processes in lab hosts
  tcpdump                  # frame captures inside hosts
  netcat-openbsd           # nc -N (close on EOF) for the namespace ITs' TCP transfers
  iperf3                   # throughput scenarios
  vde2                     # vde_switch, a user-space peer that bench/run.sh measures tapswitch against
  gcc                      # builds the C reference forwarder (../shared/perf-reference/tapfwd.c) for bench/run.sh
  ethtool                  # offload inspection on TAP devices
  iptables                 # the fabric ITs cut the cluster's TCP or the tunnel's UDP inside an agent's namespace
  chromium                 # the headless browser the web console's tests drive
  chromium-driver          # its WebDriver server (/usr/bin/chromedriver), used instead of a download
  asciidoctor              # turns picocli's AsciiDoc man pages into troff for the Debian package (dist/)
)

APT_LOCK_RETRIES=${APT_LOCK_RETRIES:-30}

# Another apt run (an image's unattended upgrade, a parallel setup) may hold the dpkg lock for a
# while; waiting is better than failing the whole run.
apt_retry() {
  local attempt
  for ((attempt = 1; attempt <= APT_LOCK_RETRIES; attempt++)); do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@"; then
      return 0
    fi
    echo "apt-get $1 failed (attempt $attempt/$APT_LOCK_RETRIES), retrying in 10 s" >&2
    sleep 10
  done
  return 1
}

# Prints the given packages that are not installed, one a line.
missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}
