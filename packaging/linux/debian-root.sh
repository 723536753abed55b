#!/usr/bin/env bash
# A clean minimal Debian 12 root for the package test: packaging/linux/debian-root.sh DIR
# The first run debootstraps it (minbase, from deb.debian.org) and keeps a tarball under
# ~/.cache/mysearch/, so later runs unpack it in seconds; a fresh machine just takes the slow path.
set -euo pipefail
dir=$1
cache=${MYSEARCH_CACHE:-$HOME/.cache/mysearch}/debian-bookworm-minbase.tar
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$(dirname "$cache")"
if grep -q " $(readlink -f "$dir")/" /proc/mounts; then  # never delete through a leftover bind mount of /dev
  echo "something is still mounted under $dir; unmount it first" >&2; exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
if [ -s "$cache" ]; then
  tar -xf "$cache" -C "$dir"
else
  command -v debootstrap >/dev/null || { echo "needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  debootstrap --variant=minbase bookworm "$dir" "$mirror"
  rm -rf "$dir"/var/cache/apt/archives/*.deb
  tar -cf "$cache.tmp" -C "$dir" . && mv "$cache.tmp" "$cache"
fi
