"""Shared test setup.

Cassettes (vcrpy via pytest-recording) replay HTTP recorded from the real embedded model server
(`make record`). They are strict: requests match on method, URL *and* JSON body (a changed prompt or
request fails loudly until re-recorded), a missing cassette fails (record mode `none` is
pytest-recording's default; never set `record_mode` in `vcr_config`), and a cassette whose recorded
interactions were not all played fails too. Secrets are filtered before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import briefing.model.openai

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
# The recording server listens here (`make record`); host and port are part of every match.
RECORD_BASE_URL = "http://127.0.0.1:8765/v1"
SECRET_HEADERS = ["authorization", "api-key", "cookie", "set-cookie", "openai-organization", "openai-project"]


def json_body(r1, r2) -> None:  # noqa: ANN001 - vcr requests
    """Bodies match when they are equal as JSON (recorded bodies are pretty-printed for reading)."""

    def parsed(body: bytes | str | None) -> object:
        if body is None:
            return None
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        try:
            return json.loads(text)
        except ValueError:
            return text

    assert parsed(r1.body) == parsed(r2.body), "request body differs from the recording: re-record (make record)"


def readable(request):  # noqa: ANN001, ANN201 - vcr request
    """Store JSON request bodies pretty-printed, so a cassette diff shows what the prompt changed."""
    if request.body:
        try:
            data = json.loads(request.body)
        except ValueError:
            return request
        request.body = json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")
    return request


def configure_vcr(vcr) -> None:  # noqa: ANN001
    vcr.register_matcher("json_body", json_body)


def vcr_config_dict() -> dict:
    return {
        "filter_headers": SECRET_HEADERS,
        "decode_compressed_response": True,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "before_record_request": readable,
    }


@pytest.fixture(scope="session")
def vcr_config() -> dict:
    return vcr_config_dict()


def pytest_recording_configure(config, vcr) -> None:  # noqa: ANN001 - pytest-recording hook
    configure_vcr(vcr)


@pytest.fixture(scope="session")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture(autouse=True)
def _cassette_fully_played(request: pytest.FixtureRequest):
    """A cassette with interactions the test never asked for is stale: fail."""
    yield
    if "vcr" not in request.fixturenames or (request.config.getoption("--record-mode") or "none") != "none":
        return
    cassette = request.getfixturevalue("vcr")  # None for tests without the vcr marker
    if cassette is None:
        return
    assert cassette.all_played, f"cassette {cassette._path} has unplayed interactions: re-record (make record)"


@pytest.fixture(autouse=True)
def _no_model_requests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never reach a model: only tests marked `model_requests` (loopback stubs), `vcr`
    (cassettes) or `e2e` (the embedded model) may send a request."""
    if not any(request.node.get_closest_marker(m) for m in ("model_requests", "vcr", "e2e")):
        monkeypatch.setattr(briefing.model.openai, "ALLOW_MODEL_REQUESTS", False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding the three short articles of `fakes.ARTICLES` (a test module may define its own)."""
    from .fakes import ARTICLES

    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    return articles
