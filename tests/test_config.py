"""Settings: every one documented; unsafe production settings refuse to start."""

from pathlib import Path

import pytest

from eocnet.app import create_app
from eocnet.config import Settings, UnsafeSettings

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    missing = [
        f"EOCNET_{name.upper()}"
        for name in Settings.model_fields
        if f"`EOCNET_{name.upper()}`" not in text
    ]
    assert missing == []


def test_every_setting_has_help_text():
    assert all(f.description for f in Settings.model_fields.values())


@pytest.mark.parametrize("secret", ["", "change-me", "short"])
def test_production_refuses_weak_secret(secret):
    s = Settings(env="production", secret_key=secret, base_url="https://eoc.example.org")
    with pytest.raises(UnsafeSettings, match="SECRET_KEY"):
        s.check_safe()


def test_production_refuses_plain_http():
    s = Settings(
        env="production",
        secret_key="x" * 40,
        base_url="http://eoc.example.org",
        master_key="a" * 44,
    )
    with pytest.raises(UnsafeSettings, match="https"):
        s.check_safe()


def test_production_app_refuses_to_start(database_url):
    with pytest.raises(UnsafeSettings):
        create_app(Settings(env="production", database_url=database_url))


def test_production_accepts_safe_settings():
    Settings(
        env="production",
        secret_key="k" * 40,
        base_url="https://eoc.example.org",
        master_key="a" * 44,
    ).check_safe()


def test_production_needs_a_master_key():
    s = Settings(env="production", secret_key="k" * 40, base_url="https://eoc.example.org")
    with pytest.raises(UnsafeSettings, match="MASTER_KEY"):
        s.check_safe()


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("EOCNET_BASE_URL", "https://eoc.example.org")
    monkeypatch.setenv("EOCNET_ENV", "production")
    s = Settings()
    assert s.base_url == "https://eoc.example.org" and s.is_production
