"""The answer model on a GPU through llama.cpp's Vulkan backend, and the fall back to the CPU, with real
drivers and the real default model.

These machines have no GPU, but Mesa's lavapipe (Debian's mesa-vulkan-drivers) is a real, conformant
Vulkan driver running on the CPU. llama.cpp leaves CPU-type Vulkan devices alone unless
GGML_VK_VISIBLE_DEVICES selects them, which is what these tests do; with the Vulkan loader pointed at no
driver at all, the same build must answer on the CPU and say why.

Each case runs in its own process: llama.cpp loads its backends once per process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from mysearch.answer import backends

ANSWER = """
import json, sys
from mysearch import answer
from mysearch.library import Library
from mysearch.answer import runtime
lib = Library.open(sys.argv[1])
cfg = lib.config
events = list(answer.ask(lib, sys.argv[2]))
rt = runtime.load(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads"))
done = events[-1].answer
print(json.dumps({"info": rt.info(), "text": done.text, "cited": [c.path for c in done.citations]}))
lib.close()
"""

BOILER = (
    "Boiler maintenance log\nThe boiler in the basement was serviced on 12 March 2024 by Hanson Heating. "
    "The technician replaced the pressure valve and recommended the next service in March 2025.\n"
)


def _lavapipe_index() -> int | None:
    """The index of Mesa's software device among the Vulkan devices, as GGML_VK_VISIBLE_DEVICES counts."""
    tool = shutil.which("vulkaninfo")
    if not tool:
        return None
    out = subprocess.run([tool, "--summary"], capture_output=True, text=True, timeout=60).stdout
    index = -1
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("GPU") and line.rstrip(":")[3:].isdigit():
            index = int(line.rstrip(":")[3:])
        if line.startswith("deviceName") and "llvmpipe" in line:
            return index
    return None


@pytest.fixture(scope="module")
def vulkan_index() -> int:
    return _require_vulkan()


def _require_vulkan() -> int:
    if "vulkan" not in backends.built_gpu_backends():
        if os.environ.get("MYSEARCH_REQUIRE_VULKAN"):
            pytest.fail("this llama.cpp build has no Vulkan backend (the Makefile builds one where glslc exists)")
        pytest.skip("this llama.cpp build has no Vulkan backend")
    index = _lavapipe_index()
    if index is None:
        if os.environ.get("MYSEARCH_REQUIRE_VULKAN"):
            pytest.fail("Mesa's lavapipe Vulkan driver is not installed (mesa-vulkan-drivers, vulkan-tools)")
        pytest.skip("no lavapipe Vulkan device here")
    return index


@pytest.fixture(scope="module")
def indexed_home(vulkan_index: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gpu")
    (root / "docs").mkdir()
    (root / "docs" / "boiler.txt").write_text(BOILER, "utf-8")
    home = root / "home"
    run_cli("add", str(root / "docs"), home=home)
    run_cli("index", home=home)
    return home


def _run(code_or_args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "MYSEARCH_HOME": str(home), **env}
    return subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True, env=full, timeout=900)


def test_the_answer_model_runs_on_a_vulkan_gpu(vulkan_index: int, indexed_home: Path):
    index = vulkan_index
    env = {"GGML_VK_VISIBLE_DEVICES": str(index), "MYSEARCH_ANSWER__MAX_TOKENS": "48"}
    doctor = _run(["-m", "mysearch", "doctor", "--json"], indexed_home, **env)
    assert doctor.returncode == 0, doctor.stderr
    report = json.loads(doctor.stdout)
    assert "Vulkan" in report["llama_cpp"]["backends"]
    am = report["answer_model"]
    assert am["device"] == "gpu", am
    assert am["gpu"]["backend"] == "Vulkan" and "llvmpipe" in am["gpu"]["description"]
    assert am["model_layers"] == 28 and am["gpu_layers"] == 28 and am["gpu_reason"] is None
    assert report["speed"]["generated_tokens"] == 32 and report["speed"]["generation_tokens_per_s"] > 0

    proc = _run(["-c", ANSWER, str(indexed_home), "Who serviced the boiler?"], indexed_home, **env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["info"]["device"] == "gpu" and out["info"]["gpu_layers"] == 28
    assert "Hanson" in out["text"], out["text"]
    assert any(p.endswith("boiler.txt") for p in out["cited"])


def test_without_a_vulkan_driver_the_cpu_answers_and_says_why(vulkan_index: int, indexed_home: Path):
    index = vulkan_index
    # the device would be chosen, but the Vulkan loader finds no driver at all
    env = {"GGML_VK_VISIBLE_DEVICES": str(index), "VK_ICD_FILENAMES": "/nonexistent/icd.json",
           "VK_DRIVER_FILES": "/nonexistent/icd.json", "MYSEARCH_ANSWER__MAX_TOKENS": "48"}
    doctor = _run(["-m", "mysearch", "doctor", "--json", "--no-speed"], indexed_home, **env)
    assert doctor.returncode == 0, doctor.stderr
    am = json.loads(doctor.stdout)["answer_model"]
    assert am["device"] == "cpu" and am["gpu_layers"] == 0
    assert am["gpu_reason"] and "GPU" in am["gpu_reason"], am

    proc = _run(["-c", ANSWER, str(indexed_home), "Who serviced the boiler?"], indexed_home, **env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["info"]["device"] == "cpu" and "Hanson" in out["text"]


def test_gpu_off_keeps_every_gpu_module_out(vulkan_index: int, indexed_home: Path):
    index = vulkan_index
    code = (
        "import json; from mysearch.answer import backends, runtime\n"
        "rt = runtime.load('qwen2.5-coder-1.5b-instruct', 'off')\n"
        "print(json.dumps({'backends': backends.backends(), 'info': rt.info()}))\n"
    )
    proc = _run(["-c", code], indexed_home, GGML_VK_VISIBLE_DEVICES=str(index))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["backends"] == ["CPU"]
    assert out["info"]["device"] == "cpu" and "off" in out["info"]["gpu_reason"]


def test_placement_follows_free_memory(tmp_path: Path):
    """A GPU too small for the model gets part of it or none, with the numbers in the reason."""
    from mysearch.answer import models

    model = models.resolve(models.get("qwen2.5-coder-1.5b-instruct"))
    shape = backends.model_shape(model)
    assert shape == {"layers": 28, "heads": 12, "kv_heads": 2, "width": 1536}
    size = model.stat().st_size
    mib = backends.MIB

    def fake(free: int) -> list[backends.Device]:
        return [backends.Device("CPU", "cpu", "cpu", "CPU", 8 << 30, 8 << 30),
                backends.Device("Vulkan0", "a GPU", "gpu", "Vulkan", free, free)]

    big = backends.place_on(model, fake(8 << 30))
    assert big.layers == -1 and big.main_gpu == 0 and big.reason is None
    half = backends.place_on(model, fake(size // 2 + backends.OVERHEAD + 200 * mib))
    assert 0 < half.layers < 28 and "layers fit" in (half.reason or "")
    tiny = backends.place_on(model, fake(256 * mib))
    assert tiny.layers == 0 and "256 MiB free" in (tiny.reason or "")


SETTINGS_LINE = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from mysearch.config import Config
from ui.settings import SettingsDialog
app = QApplication([])
dialog = SettingsDialog(Config(sys.argv[1]))
line = dialog.device_line
while line.where is None:
    app.processEvents()
print(line.where.kind, line.text(), sep="\\t")
"""


def test_the_settings_say_where_answers_run(vulkan_index: int, indexed_home: Path):
    """The settings' line under "Use the graphics card" agrees with what the answer model really does."""
    on_gpu = _run(["-c", SETTINGS_LINE, str(indexed_home)], indexed_home, GGML_VK_VISIBLE_DEVICES=str(vulkan_index))
    assert on_gpu.returncode == 0, on_gpu.stderr
    kind, text = on_gpu.stdout.strip().splitlines()[-1].split("\t")
    assert kind == "gpu" and "llvmpipe" in text and "Vulkan" in text and "28" in text, text

    no_driver = _run(["-c", SETTINGS_LINE, str(indexed_home)], indexed_home, GGML_VK_VISIBLE_DEVICES=str(vulkan_index),
                     VK_ICD_FILENAMES="/nonexistent/icd.json", VK_DRIVER_FILES="/nonexistent/icd.json")
    assert no_driver.returncode == 0, no_driver.stderr
    kind, text = no_driver.stdout.strip().splitlines()[-1].split("\t")
    assert kind in ("none", "driver") and "processor" in text, text

    off = _run(["-c", SETTINGS_LINE, str(indexed_home)], indexed_home, GGML_VK_VISIBLE_DEVICES=str(vulkan_index),
               MYSEARCH_ANSWER__GPU="off")
    kind, text = off.stdout.strip().splitlines()[-1].split("\t")
    assert kind == "off" and "turned off" in text, text
