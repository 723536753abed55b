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


def test_numbers_outside_their_range_are_refused_by_the_schema(tmp_path):
    from mysearch.config import SCHEMA

    cfg = Config(tmp_path)
    for bad in ("0", "-5", "1001"):
        with pytest.raises(ConfigError, match=r"search.k must be from 1 to 1000"):
            cfg.set("search.k", bad)
    with pytest.raises(ConfigError, match="index.timeout_s must be greater than 0"):
        cfg.set("index.timeout_s", "0")
    with pytest.raises(ConfigError, match="not a valid number"):
        cfg.set("search.dense_weight", "nan")
    assert cfg.set("search.k", "1") == 1 and cfg.set("watch.max_watches", "0") == 0
    assert Config(tmp_path).get("search.k") == 1  # nothing refused was written
    numbers = [s for s in SCHEMA if s.type in (int, float)]
    assert numbers and all(s.range is not None for s in numbers)  # every number has its range
    assert all(s.default in s.range for s in numbers)


def test_secret_settings_never_reach_a_log(tmp_path):
    import logging

    from mysearch.logfile import log_to_file

    root = logging.getLogger()
    before = list(root.handlers)
    log_to_file(tmp_path, "test")
    try:
        Config(tmp_path).set("web.api_key", "brave-key-5678")
        log = logging.getLogger("mysearch.websearch")
        log.warning("request to https://search.example/?key=%s failed", "brave-key-5678")
        try:
            raise OSError("HTTP 401 for token brave-key-5678")
        except OSError:
            log.exception("web search failed")
    finally:
        for h in root.handlers[len(before):]:
            h.close()
        root.handlers[:] = before
    text = (tmp_path / "logs" / "test.log").read_text("utf-8")
    assert "search.example/?key=********" in text and "token ********" in text
    assert "brave-key-5678" not in text
