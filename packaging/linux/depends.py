"""The Debian packages a bundle needs: packaging/linux/depends.py BUNDLE [--check packaging/linux/depends.txt]

depends.txt: one package a line, optionally followed by the libraries (sonames) it provides.

Reads the NEEDED entries of every ELF file in the bundle (readelf), drops the libraries the bundle
carries itself, finds each remaining one on this (Debian 12) machine with ldconfig and asks dpkg which
package owns it. With --check it fails when a package is missing from the committed list, so a new
dependency cannot slip into a release without its Depends: entry. Prints one package per line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ELF = b"\x7fELF"


def elf_files(bundle: Path) -> list[Path]:
    out = []
    for root, _dirs, files in os.walk(bundle):
        for name in files:
            p = Path(root) / name
            if p.is_symlink() or not p.is_file():
                continue
            with open(p, "rb") as f:
                if f.read(4) == ELF:
                    out.append(p)
    return out


def needed(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for p in files:
        proc = subprocess.run(["readelf", "-d", str(p)], capture_output=True, text=True)
        names.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", proc.stdout))
    return names


def system_paths() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    paths: dict[str, str] = {}
    for m in re.finditer(r"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", out, re.M):
        paths.setdefault(m.group(1), m.group(2))
    return paths


def owner(path: str) -> str | None:
    for candidate in (path, os.path.realpath(path)):
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].strip()
        usr = candidate.replace("/lib/", "/usr/lib/", 1) if candidate.startswith("/lib/") else None
        if usr:
            proc = subprocess.run(["dpkg", "-S", usr], capture_output=True, text=True)
            if proc.returncode == 0:
                return proc.stdout.split(":", 1)[0].strip()
    return None


def main() -> int:
    bundle = Path(sys.argv[1])
    files = elf_files(bundle)
    carried = {p.name for p in bundle.rglob("*")}
    paths = system_paths()
    packages, unknown = set(), []
    for lib in sorted(needed(files) - carried):
        path = paths.get(lib)
        pkg = owner(path) if path else None
        if pkg is None:
            unknown.append(lib)
        else:
            packages.add(pkg)
    if "--check" in sys.argv:
        lines = [line.split("#", 1)[0].split() for line in
                 Path(sys.argv[sys.argv.index("--check") + 1]).read_text().splitlines()]
        listed = {words[0] for words in lines if words}
        # a listed package may name the libraries it provides: those need not be on the build machine
        provided = {name for words in lines for name in words[1:]}
        unknown = [lib for lib in unknown if lib not in provided]
        missing = sorted(packages - listed)
        if missing:
            print(f"depends: the bundle needs {', '.join(missing)}, not in the Depends list", file=sys.stderr)
            return 1
    for lib in unknown:
        print(f"depends: no package found for {lib}", file=sys.stderr)
    print("\n".join(sorted(packages)))
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
