"""Settings: read from an explicit environment mapping, never from the real one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import briefing
from briefing.config import Settings
from briefing.errors import ConfigError


def test_an_api_key_alone_means_openai_itself():
    settings = Settings.from_env(env={"OPENAI_API_KEY": "sk-test"})

    assert settings.endpoint_kind == "openai"
    assert settings.api_key == "sk-test"
    assert settings.base_url is None


def test_a_base_url_means_a_custom_endpoint_with_or_without_a_key():
    assert Settings.from_env(env={"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"}).endpoint_kind == "custom"
    both = Settings.from_env(env={"OPENAI_BASE_URL": "https://llm.example/v1", "OPENAI_API_KEY": "sk-test"})
    assert both.endpoint_kind == "custom"


def test_neither_key_nor_base_url_means_the_embedded_local_model():
    assert Settings.from_env(env={}).endpoint_kind == "local"


def test_empty_variables_count_as_unset():
    settings = Settings.from_env(env={"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "BRIEFING_CONCURRENCY": ""})

    assert settings.endpoint_kind == "local"
    assert settings.concurrency is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OPENAI_API_KEY": "sk-test"}, 8),
        ({"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"}, 4),
        ({}, 1),
    ],
)
def test_concurrency_defaults_to_what_the_endpoint_can_take(env, expected):
    assert Settings.from_env(env=env).effective_concurrency == expected


@pytest.mark.parametrize("env", [{"OPENAI_API_KEY": "sk-test"}, {"OPENAI_BASE_URL": "http://h/v1"}, {}])
def test_an_explicit_concurrency_wins_over_the_default(env):
    assert Settings.from_env(env={**env, "BRIEFING_CONCURRENCY": "3"}).effective_concurrency == 3
    assert Settings.from_env(env=env, concurrency=2).effective_concurrency == 2


def test_overrides_win_over_the_environment():
    env = {"BRIEFING_MODEL": "from-env", "BRIEFING_CONCURRENCY": "3", "BRIEFING_CACHE_DIR": "/tmp/env-cache"}

    settings = Settings.from_env(env=env, model="from-flag", concurrency=5, cache_dir="/tmp/flag-cache")

    assert settings.model == "from-flag"
    assert settings.concurrency == 5
    assert settings.cache_dir == Path("/tmp/flag-cache")


def test_none_overrides_are_ignored_so_unset_flags_keep_the_environment():
    env = {"BRIEFING_MODEL": "from-env", "OPENAI_API_KEY": "sk-env", "BRIEFING_CONCURRENCY": "3"}

    settings = Settings.from_env(env=env, model=None, api_key=None, concurrency=None)

    assert settings.model == "from-env"
    assert settings.api_key == "sk-env"
    assert settings.concurrency == 3


@pytest.mark.parametrize(
    "name",
    ["BRIEFING_CONCURRENCY", "BRIEFING_LOCAL_THREADS", "BRIEFING_MAX_TOKENS_BUDGET", "BRIEFING_MAX_ATTEMPTS"],
)
def test_a_variable_that_is_not_a_whole_number_is_a_config_error_naming_it(name):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env={name: "lots"})

    assert name in str(caught.value)
    assert "'lots'" in str(caught.value)


def test_timeouts_and_retries_are_read_from_the_environment_and_a_flag_wins():
    env = {"BRIEFING_TIMEOUT": "2.5", "BRIEFING_MAX_ATTEMPTS": "2", "BRIEFING_RETRY_WAIT": "0"}
    settings = Settings.from_env(env=env)

    assert (settings.request_timeout, settings.max_attempts, settings.retry_wait) == (2.5, 2, 0.0)
    assert Settings.from_env(env=env, request_timeout=9.0).request_timeout == 9.0
    assert Settings.from_env(env={}).request_timeout == 600.0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BRIEFING_TIMEOUT": "soon"}, "BRIEFING_TIMEOUT must be a number of seconds, got 'soon'"),
        ({"BRIEFING_TIMEOUT": "-1"}, "BRIEFING_TIMEOUT or --timeout"),
        ({"BRIEFING_MAX_ATTEMPTS": "0"}, "BRIEFING_MAX_ATTEMPTS must be 1-20"),
        ({"BRIEFING_RETRY_WAIT": "600"}, "BRIEFING_RETRY_WAIT must be 0-60 s"),
    ],
)
def test_a_timeout_or_retry_setting_out_of_range_is_a_config_error_naming_it(env, named):
    with pytest.raises(ConfigError, match=re.escape(named)):
        Settings.from_env(env=env)


def test_a_base_url_without_http_is_a_config_error_naming_the_variable():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env={"OPENAI_BASE_URL": "127.0.0.1:8000/v1"})

    assert "OPENAI_BASE_URL" in str(caught.value)
    assert "http://" in str(caught.value)
    assert "127.0.0.1:8000/v1" in str(caught.value)


def test_a_base_url_flag_without_http_is_a_config_error_naming_the_flag():
    with pytest.raises(ConfigError, match="--base-url"):
        Settings.from_env(env={}, base_url="localhost:8000/v1")


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_briefing_no_cache_turns_the_cache_off(value):
    assert Settings.from_env(env={"BRIEFING_NO_CACHE": value}).use_cache is False


def test_the_cache_is_on_by_default():
    assert Settings.from_env(env={}).use_cache is True
    assert Settings.from_env(env={"BRIEFING_NO_CACHE": "0"}).use_cache is True


def test_an_unknown_override_is_a_config_error_naming_it():
    with pytest.raises(ConfigError, match="modle"):
        Settings.from_env(env={}, modle="gpt-4o")


def test_an_explicit_env_mapping_is_read_instead_of_the_process_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-process")
    monkeypatch.setenv("BRIEFING_MODEL", "process-model")

    settings = Settings.from_env(env={})

    assert settings.api_key is None
    assert settings.model is None


PACKAGE = Path(briefing.__file__).resolve().parent
ENV_READ = re.compile(r"\bos\.(environ|getenv)\b|\bfrom\s+os\s+import\s+[^\n]*\b(environ|getenv)\b")


def test_library_code_never_reads_the_environment_outside_config():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "config.py" in modules

    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in modules
        if path.name != "config.py" or path.parent != PACKAGE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ENV_READ.search(line)
    ]

    assert offenders == [], "only briefing/config.py may read environment variables:\n" + "\n".join(offenders)


def test_the_repr_of_settings_never_shows_a_secret():
    secrets = {
        "api_key": "sk-test-secret-1",
        "api_token": "bearer-secret-2",
        "slack_signing_secret": "signing-secret-3",
        "slack_bot_token": "xoxb-secret-4",
        "slack_app_token": "xapp-secret-5",
    }
    settings = Settings(**secrets)
    shown = f"{settings!r} {settings}"
    assert not [name for name, value in secrets.items() if value in shown]
    assert settings.api_key == "sk-test-secret-1"  # still there for the code that needs it


def test_the_service_limits_have_named_defaults_and_come_from_the_environment():
    from briefing.config import JOB_DEADLINE_SECONDS, MAX_QUEUED_JOBS, MAX_REQUEST_BYTES, MAX_REQUEST_FILES

    default = Settings.from_env(env={})
    assert (default.max_queued_jobs, default.job_deadline) == (MAX_QUEUED_JOBS, JOB_DEADLINE_SECONDS)
    assert (default.max_request_files, default.max_request_bytes) == (MAX_REQUEST_FILES, MAX_REQUEST_BYTES)
    env = {
        "BRIEFING_MAX_QUEUED_JOBS": "0",
        "BRIEFING_JOB_DEADLINE": "90.5",
        "BRIEFING_MAX_REQUEST_FILES": "10",
        "BRIEFING_MAX_REQUEST_BYTES": "1000",
    }
    limited = Settings.from_env(env=env)
    assert (limited.max_queued_jobs, limited.job_deadline) == (0, 90.5)
    assert (limited.max_request_files, limited.max_request_bytes) == (10, 1000)
    with pytest.raises(ConfigError, match="BRIEFING_JOB_DEADLINE must be a number of seconds, got 'soon'"):
        Settings.from_env(env={"BRIEFING_JOB_DEADLINE": "soon"})
    with pytest.raises(ConfigError, match="BRIEFING_JOB_DEADLINE must be a positive number"):
        Settings.from_env(env={"BRIEFING_JOB_DEADLINE": "0"})


def test_the_slack_allow_lists_are_comma_separated_ids():
    settings = Settings.from_env(
        env={"BRIEFING_SLACK_ALLOWED_CHANNELS": "C1, C2,", "BRIEFING_SLACK_ALLOWED_USERS": " U7 "}
    )
    assert (settings.slack_allowed_channels, settings.slack_allowed_users) == (("C1", "C2"), ("U7",))
    assert Settings.from_env(env={}).slack_allowed_channels == ()  # not set: every channel


@pytest.mark.parametrize("value", ["0", "65", "500"])
def test_a_concurrency_out_of_range_from_the_environment_is_one_clear_error(value):
    with pytest.raises(ConfigError, match=rf"between 1 and 64, not {value}"):
        Settings.from_env(env={"BRIEFING_CONCURRENCY": value})
