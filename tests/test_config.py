import pytest

from mysearch.config import Config
from mysearch.errors import ConfigError


def test_defaults_set_env_override_and_persistence(tmp_path, monkeypatch):
    cfg = Config(tmp_path)
    assert cfg.get("search.k") == 10
    assert cfg.set("index.hidden", "yes") is True
    assert cfg.set("index.ignore", "*.bak, drafts/") == ["*.bak", "drafts/"]
    assert Config(tmp_path).get("index.ignore") == ["*.bak", "drafts/"]  # written to disk
    monkeypatch.setenv("MYSEARCH_STORE__URL", "http://127.0.0.1:9")
    assert Config(tmp_path).get("store.url") == "http://127.0.0.1:9"
    cfg.reset("index.hidden")
    assert Config(tmp_path).get("index.hidden") is False


def test_bad_values_and_keys_are_clear_errors(tmp_path):
    cfg = Config(tmp_path)
    with pytest.raises(ConfigError, match="not a valid int"):
        cfg.set("search.k", "ten")
    with pytest.raises(ConfigError, match="unknown setting"):
        cfg.get("search.colour")
    (tmp_path / "settings.json").write_text("{broken")
    with pytest.raises(ConfigError, match="cannot read settings"):
        Config(tmp_path)
