"""The parts of the packaged build that can be checked without building it (the build itself is checked
by `make package-test`: the .deb in a clean Debian root, `mysearch --smoke` and the window there)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "packaging" / "entry.py"
DEPENDS = REPO / "packaging" / "linux" / "depends.py"


def _entry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ENTRY), *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_the_executable_understands_the_child_process_forms_the_app_uses():
    """The app starts its library owner as `EXE -m mysearch ...` and the GPU probe as `EXE -c CODE`."""
    version = _entry("-m", "mysearch", "--version")
    assert version.returncode == 0 and version.stdout.startswith("mysearch "), version.stderr
    probe = _entry("-c", "import os, sys; print(os.environ['ANONYMIZED_TELEMETRY'], sys.argv[1:])", "x")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["False", "['x']"]  # Chroma's telemetry is off before anything loads


def test_the_menu_entry_has_english_and_korean_names_and_starts_the_app():
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str
    desktop.read(REPO / "packaging" / "linux" / "mysearch.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Exec"] == "/usr/bin/mysearch app"
    assert entry["Icon"] == "mysearch"
    for key in ("Name", "Name[ko]", "Comment", "Comment[ko]"):
        assert entry[key].strip()
    assert any("\uac00" <= ch <= "\ud7a3" for ch in entry["Comment[ko]"])  # written in Hangul


@pytest.mark.skipif(not (shutil.which("readelf") and shutil.which("dpkg")), reason="needs readelf and dpkg (Debian)")
def test_depends_are_derived_from_the_bundle_and_a_missing_one_fails_the_check(tmp_path: Path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(sys.executable, bundle / "python")  # an ELF file that needs the C library (and libpython?)
    listed = tmp_path / "depends.txt"
    proc = subprocess.run([sys.executable, str(DEPENDS), str(bundle)], capture_output=True, text=True)
    derived = proc.stdout.split()
    assert "libc6" in derived, proc.stderr
    listed.write_text("\n".join(derived) + "\n")
    ok = subprocess.run([sys.executable, str(DEPENDS), str(bundle), "--check", str(listed)], capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stderr
    listed.write_text("# nothing listed\n")
    missing = subprocess.run([sys.executable, str(DEPENDS), str(bundle), "--check", str(listed)],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "libc6" in missing.stderr
