"""Settings read from the environment refuse malformed values."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import portal
from portal.env import env_bool, env_choice, env_int, env_list, env_str


def test_strings_and_secret_files(monkeypatch, tmp_path):
    monkeypatch.setenv("GR_TOKEN", "plain")
    assert env_str("GR_TOKEN") == "plain"
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv("GR_TOKEN_FILE", str(secret))
    assert env_str("GR_TOKEN") == "from-file"
    assert env_str("GR_UNSET", "fallback") == "fallback"


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False)]
)
def test_booleans(monkeypatch, raw, value):
    monkeypatch.setenv("GR_FLAG", raw)
    assert env_bool("GR_FLAG", not value) is value


def test_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("GR_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="GR_FLAG"):
        env_bool("GR_FLAG", False)
    monkeypatch.setenv("GR_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("GR_NUM", 1)
    monkeypatch.setenv("GR_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("GR_NUM", 5, minimum=1)
    monkeypatch.setenv("GR_MODE", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="one of"):
        env_choice("GR_MODE", "keep", {"keep", "delete"})


def test_lists(monkeypatch):
    monkeypatch.setenv("GR_LIST", " a, b ,,c ")
    assert env_list("GR_LIST") == ["a", "b", "c"]
    assert env_list("GR_UNSET_LIST", ["x"]) == ["x"]


@pytest.mark.parametrize(("flag", "threshold"), [(None, 5), ("false", None)])
def test_postgresql_connections_may_prepare_unless_turned_off(monkeypatch, tmp_path, flag, threshold):
    """Django leaves psycopg's prepared statements off unless ``prepare_threshold`` is in OPTIONS."""
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@db.example:5432/greenroom")
    monkeypatch.setenv("GREENROOM_VAR_DIR", str(tmp_path))
    if flag is None:
        monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", flag)
    namespace = runpy.run_path(str(Path(portal.__file__).with_name("settings.py")))
    assert namespace["DATABASE_PREPARED_STATEMENTS"] is (threshold is not None)
    assert namespace["DATABASES"]["default"]["OPTIONS"].get("prepare_threshold") == threshold
