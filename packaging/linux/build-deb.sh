#!/usr/bin/env bash
# Wraps the PyInstaller folder into the Debian package and the tarball:
#   packaging/linux/build-deb.sh BUNDLE VERSION DIST PYTHON
# BUNDLE is build/bundle/mysearch; it is installed under /opt/mysearch with /usr/bin/mysearch, a menu
# entry (English and Korean) and the icon. Depends: is packaging/linux/depends.txt, checked against what
# the bundle's ELF files need (depends.py). The .deb is zstd -6 (Debian 12 and Ubuntu 21.10 on read it):
# 3% smaller than gzip -1 and faster to build; the tarball stays gzip for any tar (the 1.1 GB model does
# not shrink either way).
set -euo pipefail
bundle=$1 version=$2 dist=$3 python=$4
here=$(cd "$(dirname "$0")" && pwd)
stage=build/deb
t0=$(date +%s.%N)
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" "$dist"
cp -al "$bundle" "$stage/opt/mysearch" 2>/dev/null || cp -a "$bundle" "$stage/opt/mysearch"
ln -s /opt/mysearch/mysearch "$stage/usr/bin/mysearch"
install -m 644 "$here/mysearch.desktop" "$stage/usr/share/applications/mysearch.desktop"
for size in 48 128 256; do
  dir="$stage/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  QT_QPA_PLATFORM=offscreen "$python" -c "import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from ui.icon import app_icon
assert app_icon().pixmap($size, $size).save(sys.argv[1])" "$dir/mysearch.png"
done
"$python" "$here/depends.py" "$bundle" --check "$here/depends.txt" > build/depends-derived.txt
depends=$(grep -v '^#' "$here/depends.txt" | awk 'NF {print $1}' | paste -sd, | sed 's/,/, /g')
size_kb=$(du -sk --apparent-size "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: mysearch
Version: $version
Architecture: amd64
Maintainer: mysearch developers <mysearch@localhost>
Installed-Size: $size_kb
Section: utils
Priority: optional
Depends: $depends
Recommends: libvulkan1, mesa-vulkan-drivers | vulkan-icd
Homepage: https://github.com/mysearch/mysearch
Description: local-first personal search for your files, in Korean and English
 mysearch indexes your folders on your own computer and finds things by meaning and by
 keyword, and writes answers from your files with citations. The models ship inside the
 package; nothing leaves the machine. Your library stays in your home folder across
 upgrades and uninstalls.
CONTROL
t1=$(date +%s.%N)
deb="$dist/mysearch_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zzstd -z6 -b "$stage" "$deb" >/dev/null
t2=$(date +%s.%N)
tarball="$dist/mysearch-${version}-linux-x86_64.tar.gz"
tar -C "$(dirname "$bundle")" -cf - "$(basename "$bundle")" | gzip -1 > "$tarball"
t3=$(date +%s.%N)
printf '{"stage_s": %.1f, "dpkg_deb_s": %.1f, "tarball_s": %.1f, "deb_bytes": %d, "tarball_bytes": %d}\n' \
  "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" "$(awk -v a="$t2" -v b="$t1" 'BEGIN { print a - b }')" \
  "$(awk -v a="$t3" -v b="$t2" 'BEGIN { print a - b }')" \
  "$(stat -c %s "$deb")" "$(stat -c %s "$tarball")" > build/deb-timings.json
cat build/deb-timings.json
