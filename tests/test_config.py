from __future__ import annotations

import base64
from pathlib import Path

import platformdirs
import pytest

from jiragw.config import (
    DEFAULT_ATLASSIAN_API_URL,
    DEFAULT_ATLASSIAN_AUTH_URL,
    Settings,
    decode_master_key,
    default_database_url,
)
from jiragw.errors import ConfigError
from jiragw.secrets import Secret

KEY = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
CANARY_PASSWORD = "pw-canary-51b2e7"


def test_defaults() -> None:
    settings = Settings.from_env({})
    expected = Path(platformdirs.user_data_dir("jiragw")) / "jiragw.sqlite3"
    assert settings.database_url == default_database_url()
    assert settings.database_url.startswith("sqlite")
    assert settings.database_url.endswith(str(expected))
    assert settings.master_key is None
    assert settings.master_key_file is None
    assert settings.public_url is None
    assert settings.oauth_callback_url is None
    assert settings.atlassian_auth_url == DEFAULT_ATLASSIAN_AUTH_URL == "https://auth.atlassian.com"
    assert settings.atlassian_api_url == DEFAULT_ATLASSIAN_API_URL == "https://api.atlassian.com"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "JIRAGW_DATABASE_URL": f"postgresql://jgw:{CANARY_PASSWORD}@db.internal:5432/jiragw",
            "JIRAGW_MASTER_KEY": KEY + "\n",
            "JIRAGW_PUBLIC_URL": "https://gw.example.com/base/",
            "JIRAGW_ATLASSIAN_AUTH_URL": "http://127.0.0.1:9000/",
            "JIRAGW_ATLASSIAN_API_URL": "http://127.0.0.1:9000",
        }
    )
    assert settings.database_url.startswith("postgresql+psycopg://jgw:")
    assert settings.master_key == Secret(KEY)
    assert settings.public_url == "https://gw.example.com/base"
    assert settings.oauth_callback_url == "https://gw.example.com/base/v1/outbound/oauth/callback"
    assert settings.atlassian_auth_url == "http://127.0.0.1:9000"
    assert settings.atlassian_api_url == "http://127.0.0.1:9000"
    # The password is reachable for the engine but not through repr or the display form.
    assert CANARY_PASSWORD in settings.database_url
    assert CANARY_PASSWORD not in repr(settings)
    assert CANARY_PASSWORD not in settings.database_url_redacted
    assert KEY not in repr(settings)


def test_key_file_and_empty_values(tmp_path: Path) -> None:
    env = {"JIRAGW_MASTER_KEY_FILE": str(tmp_path / "keys.json"), "JIRAGW_MASTER_KEY": ""}
    settings = Settings.from_env(env)
    assert settings.master_key_file == tmp_path / "keys.json"
    assert settings.master_key is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JIRAGW_MASTER_KEY": KEY, "JIRAGW_MASTER_KEY_FILE": "/k"}, "not both"),
        ({"JIRAGW_MASTER_KEY": "c2hvcnQ"}, "32 bytes"),
        ({"JIRAGW_MASTER_KEY": KEY.replace("A", "+", 1) + "/"}, "base64url"),
        ({"JIRAGW_MASTER_KEY": "not a key at all"}, "base64url"),
        ({"JIRAGW_DATABASE_URL": "mysql://u:pw-canary-51b2e7@h/db"}, "unsupported database"),
        ({"JIRAGW_DATABASE_URL": "::pw-canary-51b2e7::"}, "not a database URL"),
        ({"JIRAGW_DATABASE_URL": "postgresql://u:pw-canary-51b2e7@h"}, "must name a database"),
        ({"JIRAGW_DATABASE_URL": "sqlite+aiosqlite:///x.db"}, "stdlib driver"),
        ({"JIRAGW_PUBLIC_URL": "gw.example.com"}, "absolute http"),
        ({"JIRAGW_PUBLIC_URL": "ftp://gw.example.com"}, "absolute http"),
        ({"JIRAGW_PUBLIC_URL": "https://gw.example.com/?x=1"}, "query or fragment"),
        ({"JIRAGW_PUBLIC_URL": "https://admin:pw-canary-51b2e7@gw.example.com"}, "credentials"),
        ({"JIRAGW_ATLASSIAN_AUTH_URL": "https://auth.example.com:99999"}, "invalid port"),
        ({"JIRAGW_ATLASSIAN_API_URL": "https://api.example.com#frag"}, "query or fragment"),
        ({"JIRAGW_ATLASSIAN_AUTH_URL": "http://auth.example.com"}, "must use https"),
        ({"JIRAGW_ATLASSIAN_API_URL": "http://api.example.com:8080"}, "must use https"),
        ({"JIRAGW_ATLASSIAN_API_URL": "http://127.0.0.1.example.com"}, "must use https"),
    ],
)
def test_bad_values_are_config_errors_that_do_not_echo_them(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        Settings.from_env(env)
    text = str(info.value)
    assert CANARY_PASSWORD not in text
    for name, value in env.items():
        if "KEY" in name and value:
            assert value not in text


def test_atlassian_endpoints_may_be_plain_http_on_this_machine_only() -> None:
    settings = Settings.from_env(
        {
            "JIRAGW_MASTER_KEY": KEY,
            "JIRAGW_ATLASSIAN_AUTH_URL": "http://127.0.0.1:9000",
            "JIRAGW_ATLASSIAN_API_URL": "http://localhost:9000/",
        }
    )
    assert (settings.atlassian_auth_url, settings.atlassian_api_url) == (
        "http://127.0.0.1:9000",
        "http://localhost:9000",
    )


def test_decode_master_key_accepts_padding_and_whitespace() -> None:
    padded = base64.urlsafe_b64encode(bytes(range(32))).decode()
    assert padded.endswith("=")
    assert decode_master_key(Secret(f"  {padded}\n")) == bytes(range(32))
    assert decode_master_key(Secret(KEY)) == bytes(range(32))


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.public_url = "https://x"  # type: ignore[misc]


def test_in_flight_caps_default_and_are_read() -> None:
    defaults = Settings.from_env({})
    assert (defaults.max_inflight_per_connection, defaults.max_inflight_per_key) == (64, 32)
    settings = Settings.from_env(
        {"JIRAGW_MAX_INFLIGHT_PER_CONNECTION": "8", "JIRAGW_MAX_INFLIGHT_PER_KEY": " 3 "}
    )
    assert (settings.max_inflight_per_connection, settings.max_inflight_per_key) == (8, 3)


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "many", "²"])
@pytest.mark.parametrize("name", ["JIRAGW_MAX_INFLIGHT_PER_CONNECTION", "JIRAGW_MAX_INFLIGHT_PER_KEY"])
def test_in_flight_caps_must_be_positive_whole_numbers(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_audit_settings() -> None:
    defaults = Settings.from_env({})
    assert (defaults.audit_retention_days, defaults.audit_read_window_ms) == (365, 50)
    chosen = Settings.from_env({"JIRAGW_AUDIT_RETENTION_DAYS": "0", "JIRAGW_AUDIT_READ_WINDOW_MS": "10"})
    assert (chosen.audit_retention_days, chosen.audit_read_window_ms) == (0, 10)
    for name, value in (("JIRAGW_AUDIT_RETENTION_DAYS", "a year"), ("JIRAGW_AUDIT_READ_WINDOW_MS", "600000")):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: value})
