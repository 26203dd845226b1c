#!/usr/bin/env bash
# Builds the tapswitch test guest: the host's Debian kernel plus a busybox
# initramfs that configures its NICs from the kernel command line.
#
# Inputs come from Debian packages only (nothing is downloaded):
#   linux-image-amd64   -> /boot/vmlinuz-*, /usr/lib/modules/*/kernel/...
#   busybox-static      -> /bin/busybox
#   iperf3, tcpdump     -> optional extras, copied with their shared libraries
#
# Output (cached, rebuilt only when an input changes):
#   vm-configs/guest/out/vmlinuz
#   vm-configs/guest/out/initramfs.cpio.gz
#
# Environment overrides:
#   KVER=6.1.0-56-amd64        kernel version to use (default: newest in /boot)
#   GUEST_EXTRAS="iperf3 tcpdump"  dynamically linked host tools to include
#   FORCE=1                    rebuild even if the cache stamp matches
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
init_script="$here/init"

# Load order matters: busybox insmod does not resolve dependencies.
MODULES=(
  virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
  failover net_failover virtio_net
  llc stp garp mrp 8021q
)
GUEST_EXTRAS="${GUEST_EXTRAS-iperf3 tcpdump}"

die() { echo "build-guest: $*" >&2; exit 1; }

need_pkgs=()
kver="${KVER:-}"
if [[ -z "$kver" ]]; then
  kver="$(ls -1 /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n1 || true)"
fi
kernel="/boot/vmlinuz-$kver"
moddir="/usr/lib/modules/$kver"
[[ -n "$kver" && -r "$kernel" && -d "$moddir" ]] || need_pkgs+=(linux-image-amd64)
busybox_bin=""
for b in /bin/busybox /usr/bin/busybox; do
  if [[ -x "$b" ]] && ! ldd "$b" >/dev/null 2>&1; then busybox_bin="$b"; break; fi
done
[[ -n "$busybox_bin" ]] || need_pkgs+=(busybox-static)
for tool in gzip cpio find; do
  command -v "$tool" >/dev/null || need_pkgs+=("$tool")
done
if ((${#need_pkgs[@]})); then
  echo "build-guest: missing Debian packages. Install them with:" >&2
  echo "  apt-get install -y ${need_pkgs[*]}" >&2
  exit 2
fi
[[ -r "$init_script" ]] || die "missing $init_script"

# Finds a module file by name, accepting the compressed forms newer Debian
# kernels ship (.ko.xz, .ko.zst).
find_module() {
  local name="$1" f
  f="$(grep -E "(^|/)${name}\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | head -n1 | cut -d: -f1 || true)"
  [[ -n "$f" ]] || return 1
  echo "$moddir/$f"
}

module_files=()
for m in "${MODULES[@]}"; do
  if grep -qE "(^|/)${m}\.ko" "$moddir/modules.builtin" 2>/dev/null; then
    continue   # built into this kernel: nothing to load
  fi
  f="$(find_module "$m")" || die "module $m not found for kernel $kver"
  module_files+=("$f")
done

extra_bins=()
for tool in $GUEST_EXTRAS; do
  if p="$(command -v "$tool")"; then
    extra_bins+=("$p")
  else
    echo "build-guest: note: $tool not installed on the host, guest will lack it (apt-get install -y $tool)" >&2
  fi
done

# The cache key covers everything that ends up in the image.
stamp="$( {
  echo "kver=$kver"
  sha256sum "$kernel" "$busybox_bin" "$init_script" "${BASH_SOURCE[0]}" "${module_files[@]}" "${extra_bins[@]}"
} | sha256sum | cut -d' ' -f1)"
if [[ -z "${FORCE:-}" && -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" \
      && -s "$out/vmlinuz" && -s "$out/initramfs.cpio.gz" ]]; then
  echo "build-guest: up to date ($out)"
  exit 0
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/modules,lib64,etc,proc,sys,dev,tmp,run,root,var/log}
chmod 1777 "$stage/tmp"

cp "$busybox_bin" "$stage/bin/busybox"
# Equivalent of `busybox --install -s`, done at build time so the image is
# complete without executing anything on the host.
"$busybox_bin" --list-full | while read -r applet; do
  [[ "$applet" == bin/busybox ]] && continue
  mkdir -p "$stage/$(dirname "$applet")"
  [[ -e "$stage/$applet" ]] || ln -s /bin/busybox "$stage/$applet"
done

# busybox insmod in Debian's static build loads plain ELF modules only, so
# compressed modules are unpacked here.
: > "$stage/lib/modules/load-order"
for f in "${module_files[@]}"; do
  base="$(basename "$f")"
  case "$f" in
    *.ko.xz)  command -v xz   >/dev/null || die "need xz-utils to unpack $f";  xz -dc "$f"   > "$stage/lib/modules/${base%.xz}" ;;
    *.ko.zst) command -v zstd >/dev/null || die "need zstd to unpack $f";      zstd -dcq "$f" > "$stage/lib/modules/${base%.zst}" ;;
    *.ko.gz)  gzip -dc "$f" > "$stage/lib/modules/${base%.gz}" ;;
    *)        cp "$f" "$stage/lib/modules/$base" ;;
  esac
  base="${base%.xz}"; base="${base%.zst}"; base="${base%.gz}"
  echo "$base" >> "$stage/lib/modules/load-order"
done

# Optional dynamically linked tools: copy the binary, its libraries and the
# dynamic loader at the same absolute paths.
for bin in "${extra_bins[@]}"; do
  mkdir -p "$stage/usr/bin"
  rm -f "$stage/usr/bin/$(basename "$bin")" "$stage/usr/sbin/$(basename "$bin")" "$stage/bin/$(basename "$bin")"
  cp -L "$bin" "$stage/usr/bin/$(basename "$bin")"
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r lib; do
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
done

install -m 0755 "$init_script" "$stage/init"
echo "tapswitch-guest" > "$stage/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:104:104:tcpdump:/nonexistent:/bin/false\n' > "$stage/etc/passwd"
printf 'root:x:0:\ntcpdump:x:104:\n' > "$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$stage/etc/hosts"
echo "$kver" > "$stage/etc/ts-kernel-version"

mkdir -p "$out"
tmp_img="$out/.initramfs.cpio.gz.tmp"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 > "$tmp_img"
mv "$tmp_img" "$out/initramfs.cpio.gz"
cp "$kernel" "$out/vmlinuz"
echo "$stamp" > "$out/stamp"
echo "build-guest: built $out/vmlinuz ($kver) and $out/initramfs.cpio.gz ($(du -h "$out/initramfs.cpio.gz" | cut -f1))"
