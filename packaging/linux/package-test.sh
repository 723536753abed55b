#!/usr/bin/env bash
# Installs the .deb into a clean minimal Debian 12 root and checks it there, as an ordinary user:
#   packaging/linux/package-test.sh DEB PYTHON     (as root: it needs chroot and mounts)
# apt inside the root installs the package and exactly what its Depends: line names; then
# `mysearch --smoke` runs, and the window test (window_test.py) starts the installed app under an
# Xvfb on this machine (its socket is shared into the root) 5 times and grabs a screenshot.
# Timings go to build/package-test.json. Only the mounts this script made are undone, by path.
set -euo pipefail
deb=$(readlink -f "$1") python=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(readlink -f build/package-root)
out=build/package-test.json
mounts=()
cleanup() {
  for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

t=$(now); "$here/debian-root.sh" "$root"; t_root=$(since "$t")
for m in proc dev dev/pts dev/shm; do mkdir -p "$root/$m"; done
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
mount --bind /dev "$root/dev"; mounts+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts"; mounts+=("$root/dev/pts")
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"; mounts+=("$root/dev/shm")  # its own, not the host's
mkdir -p "$root/tmp/.X11-unix" && mkdir -p -m 1777 /tmp/.X11-unix
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"; mounts+=("$root/tmp/.X11-unix")
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/mysearch.deb"

t=$(now)
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q update >/dev/null
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends \
  /tmp/mysearch.deb > build/package-test-apt.log
t_apt=$(since "$t")
chroot "$root" useradd -m tester 2>/dev/null || true
as_user() { chroot --userspec=tester:tester "$root" env -i HOME=/home/tester PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }

t=$(now)
as_user mysearch --smoke > build/package-smoke.json
t_smoke=$(since "$t")
cat build/package-smoke.json

window=$(timeout 900 "$python" "$here/window_test.py" "$root")
echo "$window"
installed_kb=$(du -sk "$root/opt/mysearch" | cut -f1)
apt_pkgs=$(grep -c '^Setting up' build/package-test-apt.log || true)
printf '{"debian_root_s": %.1f, "chroot_apt_s": %.1f, "apt_packages_set_up": %d, "smoke_wall_s": %.1f, "installed_kb": %d, "smoke": %s, "window": %s}\n' \
  "$t_root" "$t_apt" "$apt_pkgs" "$t_smoke" "$installed_kb" "$(cat build/package-smoke.json)" "$window" > "$out"
echo "package test passed: $out"
