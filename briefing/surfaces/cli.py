"""The command line: `briefing run`, `briefing daily`, `briefing model serve`, `briefing serve`, `briefing slack`.

A thin edge: parse flags, build `Settings` (the one place the environment is read), call the service
function, render, write. `BriefingError`s become one line on stderr and exit status 1; no traceback
reaches the user unless `--debug` is given.

Stopping: SIGTERM does what Ctrl-C does (running model calls are cancelled, the embedded model is
stopped, nothing half-written is left), then exits 143 (130 for Ctrl-C). `briefing serve` and `briefing
slack serve` cancel their running and queued briefings at once (their clients get 503) and close within
`SHUTDOWN_GRACE_SECONDS`.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..config import MAX_CONCURRENCY, Settings
from ..errors import BriefingError, NothingToBrief, missing_extra, outcome_of

log = logging.getLogger("briefing")

SHUTDOWN_GRACE_SECONDS = 5
"""How long a stopping server waits for requests in flight (their briefings already cancelled) to answer."""


# --------------------------------------------------------------------------- shared plumbing


class Reporter:
    """Progress bar on stderr when it is a terminal; status lines and a closing summary either way;
    nothing at all with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._progress = None
        self._tasks: dict[str, Any] = {}
        self._shown: dict[str, int] = {}

    def __enter__(self) -> Reporter:
        if not self.quiet and self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress:
            self._progress.stop()

    LABELS = {"model": "assembling the embedded model (MiB)", "notes": "summarizing chunks", "merge": "merging"}
    LABELS |= {"batch": "waiting for the batch (requests)"}

    def progress(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if stage == "model":
            done, total = done >> 20, total >> 20
        if self._progress is not None:
            if stage not in self._tasks:
                self._tasks[stage] = self._progress.add_task(self.LABELS.get(stage, stage), total=total)
            self._progress.update(self._tasks[stage], completed=done, total=total)
        elif stage != "model" and 0 < done and self._shown.get(stage) != done:
            # Not a terminal (cron, CI, a pipe): a line per finished step instead of a bar, so a long run
            # on the embedded model shows it is moving (the model's assembly reports its own status lines).
            self._shown[stage] = done
            click.echo(f"briefing: {self.LABELS.get(stage, stage)} {done}/{total}", err=True)

    def status(self, message: str) -> None:
        if self.quiet:
            return
        if self._progress is not None:
            self._progress.console.print(f"[dim]{message}[/dim]")
        else:
            click.echo(f"briefing: {message}", err=True)

    def note(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


def model_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Flags shared by every command that calls a model. Each overrides its environment variable."""
    options = [
        click.option(
            "--model",
            help="Model name [env BRIEFING_MODEL; default gpt-4o-mini with an OpenAI key, "
            "the server's first model with --base-url, the embedded model otherwise].",
        ),
        click.option(
            "--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL]."
        ),
        click.option(
            "--api-key", help="API key [env OPENAI_API_KEY]. Without key and base URL the embedded model is used."
        ),
        click.option("--no-cache", is_flag=True, help="Do not read or write the response cache."),
        click.option(
            "--schema-hint",
            is_flag=True,
            default=None,
            help="Send the answer's JSON schema with "
            "json_object mode (llama.cpp servers then constrain the output; on for the embedded model) "
            "[env BRIEFING_SCHEMA_HINT=1].",
        ),
        click.option("--cache-dir", type=click.Path(path_type=Path), help="Cache folder [env BRIEFING_CACHE_DIR]."),
        click.option(
            "--concurrency",
            type=click.IntRange(1, MAX_CONCURRENCY),
            help="Parallel model calls [default: 1 for the embedded model, 4 for a custom server, 8 for OpenAI].",
        ),
        click.option("--max-tokens-budget", type=click.IntRange(1), help="Stop before a run uses more tokens."),
        click.option(
            "--timeout",
            type=click.FloatRange(0, 86400, min_open=True),
            help="Seconds one model request may take in all, connect to last byte [600; env BRIEFING_TIMEOUT].",
        ),
        click.option("--chunk-tokens", type=click.IntRange(50), default=None, help="Chunk size in tokens [900]."),
        click.option("--quiet", "-q", is_flag=True, help="No progress or status output on stderr."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def batch_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--batch` and its deadline: for the commands that brief once and may wait (run, daily)."""
    options = [
        click.option(
            "--batch",
            is_flag=True,
            default=None,
            help="Send the per-chunk calls through the OpenAI Batch API (half the price, answers within 24 h) "
            "and wait for them; a killed run resumes its batch when run again. Needs an API key or a base URL "
            "with /v1/batches.",
        ),
        click.option(
            "--batch-deadline",
            type=click.FloatRange(0, min_open=True),
            help="Seconds this run waits for its batch [90000; env BRIEFING_BATCH_DEADLINE]; the batch goes on "
            "and the same command resumes it.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def settings_from(kw: dict[str, Any]) -> Settings:
    overrides = dict(
        model=kw.pop("model", None),
        base_url=kw.pop("base_url", None),
        api_key=kw.pop("api_key", None),
        cache_dir=kw.pop("cache_dir", None),
        concurrency=kw.pop("concurrency", None),
        max_tokens_budget=kw.pop("max_tokens_budget", None),
        request_timeout=kw.pop("timeout", None),
        chunk_tokens=kw.pop("chunk_tokens", None),
        batch=kw.pop("batch", None),
        batch_deadline=kw.pop("batch_deadline", None),
    )
    if kw.pop("no_cache", False):
        overrides["use_cache"] = False
    if kw.pop("schema_hint", None):
        overrides["schema_hint"] = True
    return Settings.from_env(**overrides)


def handle_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Errors -> one clear line and the exit status `errors.OUTCOMES` gives (a bug: exit 2, no traceback
    unless --debug); Ctrl-C -> exit 130, SIGTERM (handled like Ctrl-C) -> exit 143."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        received: list[int] = []
        try:
            with _sigterm_as_interrupt(received):
                return f(*args, **kwargs)
        except KeyboardInterrupt:
            if received:
                click.echo("briefing: stopped (SIGTERM)", err=True)
                sys.exit(128 + signal.SIGTERM)
            click.echo("briefing: interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as exc:
            outcome = outcome_of(exc)
            if debug and not isinstance(exc, NothingToBrief):
                raise
            if outcome.internal:
                click.echo(
                    f"briefing: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", err=True
                )
            else:
                click.echo(f"briefing: error: {exc}", err=True)
            sys.exit(outcome.exit_code)

    return wrapper


class _sigterm_as_interrupt:  # noqa: N801 - used as a context manager, like contextlib's
    """While inside, SIGTERM is handled as Ctrl-C: through whatever SIGINT handler is current (asyncio's
    cancels the running task, so clean-up such as stopping the embedded model runs), or as
    KeyboardInterrupt. Each signal is appended to `received`. Main thread only; elsewhere it does nothing."""

    def __init__(self, received: list[int]) -> None:
        self.received = received
        self.previous: Any = None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._handle)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    def _handle(self, signum: int, frame: Any) -> None:
        self.received.append(signum)
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:  # SIGINT ignored (a background job) or not set from Python
            raise KeyboardInterrupt


def report_run(reporter: Reporter, briefing: Any, outputs: list[Path]) -> None:
    for warning in briefing.warnings:  # e.g. the response cache was off for this run
        reporter.note(f"briefing: warning: {warning}")
    for s in briefing.sources:
        if s.status == "skipped":
            reporter.note(f"briefing: skipped {s.path}: {s.reason}")
        elif s.reason:
            reporter.note(f"briefing: warning: {s.path}: {s.reason}")
    u, st = briefing.usage, briefing.stats
    briefed = sum(1 for s in briefing.sources if s.status == "briefed")
    reporter.note(
        f"briefing: {briefed} sources, {st.chunks} chunks; {u.model_calls} model call{'s' if u.model_calls != 1 else ''}"
        f" ({u.cached_calls} cached), "
        f"{u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens; "
        f"{st.items_grounded}/{st.items_proposed} items grounded; {u.seconds:.1f} s"
        + (f" -> {', '.join(str(p) for p in outputs)}" if outputs else "")
    )


# --------------------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="briefing")
def main(debug: bool) -> None:
    """Turn news articles into a structured intelligence briefing: actors, positions, military movements,
    open questions, key points and where sources disagree. Every item cites the file and the exact words.

    With no OPENAI_API_KEY and no OPENAI_BASE_URL, an embedded local model (Qwen2.5-Coder-1.5B-Instruct)
    is started on 127.0.0.1 for the run.
    """
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", metavar="PATH_OR_URL...", nargs=-1)
@click.option(
    "--feed",
    "feeds",
    metavar="URL",
    multiple=True,
    help="Also brief the entries of this RSS/Atom feed (repeatable). Needs the 'inputs' extra.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the briefing here: the HTML page when the name ends in .html, Markdown otherwise "
    "(default: print the Markdown to stdout).",
)
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the briefing as JSON.")
@click.option(
    "--html",
    "html_out",
    type=click.Path(path_type=Path),
    help="Also write the HTML page: one self-contained file where every citation opens its source.",
)
@click.option("--title", help="Headline of the briefing.")
@model_options
@batch_options
@handle_errors
def run(
    paths: tuple[str, ...],
    feeds: tuple[str, ...],
    output: Path | None,
    json_out: Path | None,
    html_out: Path | None,
    title: str | None,
    **kw: Any,
) -> None:
    """Brief the articles in PATHS (.txt/.md/.html/.htm/.pdf files, or folders searched recursively), web
    pages given as http:// or https:// URLs, and the entries of each --feed.

    \b
    Examples:
      briefing run seeds/ -o briefings/seeds.md --json briefings/seeds.json --html briefings/seeds.html
      briefing run seeds/ -o briefing.html
      briefing run articles/ --batch -o briefing.md     # per-chunk calls through the OpenAI Batch API
      briefing run saved/page.html report.pdf https://example.org/news/story.html
      briefing run --feed https://example.org/world/rss.xml -o today.md
    """
    from ..api import generate_briefing
    from ..render import to_json, to_markdown
    from .files import write_atomic

    if not paths and not feeds:
        raise click.UsageError("nothing to brief: give files, folders or URLs, or --feed URL")
    urls = [p for p in paths if _is_url(p)]
    files = [Path(p) for p in paths if not _is_url(p)]
    quiet = kw.pop("quiet")
    settings = settings_from(kw)
    with Reporter(quiet) as reporter:
        briefing = generate_briefing(
            files,
            urls=urls,
            feeds=list(feeds),
            settings=settings,
            title=title,
            progress=reporter.progress,
            on_status=reporter.status,
        )
    outputs = []
    if output:
        write_atomic(output, html_page(briefing) if is_html(output) else to_markdown(briefing))
        outputs.append(output)
    else:
        click.echo(to_markdown(briefing))
    if json_out:
        write_atomic(json_out, to_json(briefing))
        outputs.append(json_out)
    if html_out:
        write_atomic(html_out, html_page(briefing))
        outputs.append(html_out)
    report_run(reporter, briefing, outputs)


def _is_url(arg: str) -> bool:
    """True for an argument with a scheme (`https://...`, `file://...`): fetched, or refused with the reason
    (only http and https are fetched), never looked up as a path."""
    scheme, sep, _ = arg.partition("://")
    return bool(sep) and scheme.isalpha() and len(scheme) > 1


HTML_SUFFIXES = (".html", ".htm")


def is_html(path: Path) -> bool:
    """True when `path` names an HTML file (`-o briefing.html` writes the page, not Markdown)."""
    return path.suffix.lower() in HTML_SUFFIXES


def html_page(briefing: Any) -> str:
    """The HTML page of a briefing just made: its sources are read again (unchanged files only) for the pane."""
    from ..render import to_html
    from ..sources import reread

    return to_html(briefing, reread(briefing.sources))


@main.command("eval")
@click.argument("dirs", metavar="DIR...", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--gold",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The gold file for a single DIR [default: DIR/../../gold/<DIR name>.json].",
)
@click.option(
    "--gold-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Look for each DIR's gold file as GOLD_DIR/<DIR name>.json instead.",
)
@click.option(
    "--briefing",
    "briefings",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Score this stored briefing JSON (from `briefing run --json`) instead of briefing DIR; no model is "
    "needed. Repeat once per DIR, in the same order.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the scores, cost and citation checks of every set as JSON.",
)
@model_options
@handle_errors
def eval_(
    dirs: tuple[Path, ...],
    gold: Path | None,
    gold_dir: Path | None,
    briefings: tuple[Path, ...],
    out: Path | None,
    **kw: Any,
) -> None:
    """Brief each DIR of .txt articles and score the briefing against an analyst's gold annotations:
    precision and recall of positions, movements and disagreements, key facts covered, every citation
    re-verified against its file. Prints a table and one cost line per set; exits 1 when a set could not
    be scored or a citation does not match its file.

    \b
    Examples:
      briefing eval seeds/ --gold ../shared/gold/seeds.json --out eval/seeds.json
      briefing eval ../shared/eval/multiling2011-M001-london-bombings-2005
      briefing eval seeds/ --gold ../shared/gold/seeds.json --briefing briefings/seeds.json
    """
    import json

    _require("eval", "scoring against gold", "country_converter", "countryinfo")
    from ..scoring import format_table
    from .evaluate import SetError, cost_line, evaluate_set, find_gold, results_document
    from .files import write_atomic

    if gold is not None and len(dirs) > 1:
        raise click.UsageError("--gold names the gold file of a single DIR; for several, use --gold-dir")
    if gold is not None and gold_dir is not None:
        raise click.UsageError("pass --gold or --gold-dir, not both")
    if briefings and len(briefings) != len(dirs):
        raise click.UsageError(f"--briefing given {len(briefings)} times for {len(dirs)} DIRs: give one per DIR")
    quiet = kw.pop("quiet")
    settings = None if briefings else settings_from(kw)
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    with Reporter(quiet) as reporter:
        for i, folder in enumerate(dirs):
            name = folder.resolve().name
            if name in results or name in errors:  # two folders of the same name: keep both apart
                name = str(folder)
            try:
                gold_path = find_gold(folder, gold=gold, gold_dir=gold_dir)
                reporter.status(f"{'scoring' if briefings else 'briefing'} {name} against {gold_path}")
                result = evaluate_set(
                    folder,
                    gold_path,
                    briefing_path=briefings[i] if briefings else None,
                    settings=settings,
                    progress=reporter.progress,
                    on_status=reporter.status,
                )
            except SetError as exc:
                hint = " (pass --gold FILE or --gold-dir DIR)" if "no gold file" in str(exc) and not gold else ""
                errors[name] = f"{exc}{hint}"
                click.echo(f"briefing: error: {errors[name]}", err=True)
                continue
            except BriefingError as exc:  # this set's briefing failed: the others still run
                errors[name] = f"{folder}: {exc}"
                click.echo(f"briefing: error: {errors[name]}", err=True)
                continue
            results[name] = result | {"set": name}
            checked = result["citations"]
            if checked["verified"] != checked["total"]:
                errors[name] = (
                    f"{checked['total'] - checked['verified']} of {checked['total']} citations "
                    "do not match their file's words at their offsets"
                )
                click.echo(f"briefing: error: {name}: {errors[name]}", err=True)
    if results:
        click.echo(format_table({name: r["scores"] for name, r in results.items()}), nl=False)
        click.echo()
        for result in results.values():
            click.echo(cost_line(result))
    if out:
        write_atomic(out, json.dumps(results_document(results, errors, settings), indent=2) + "\n")
        reporter.note(f"briefing: results -> {out}")
    if errors:
        sys.exit(1)


@main.group()
def model() -> None:
    """The embedded model: run it as a standalone OpenAI-compatible server."""


@model.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the assembled model lives.")
@click.option("--quiet", "-q", is_flag=True)
@handle_errors
def model_serve(port: int, host: str, cache_dir: Path | None, quiet: bool) -> None:
    """Serve the embedded model (model name `local`) at http://HOST:PORT/v1 until Ctrl-C.

    Other tools, and `make record`, talk to it with any OpenAI client:
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 BRIEFING_MODEL=local briefing run seeds/
    """
    import time

    from ..model import local

    settings = Settings.from_env(cache_dir=cache_dir)
    with Reporter(quiet) as reporter:
        path = local.ensure_model(
            settings.cache_dir, settings.local_model_path, lambda d, t: reporter.progress("model", d, t)
        )
    server = local.LocalServer(
        path,
        host=host,
        port=port,
        threads=settings.local_threads,
        log_dir=settings.cache_dir / "logs",
        on_status=reporter.status,
    )
    with server:
        click.echo(f"briefing: embedded model serving at {server.base_url} (model 'local'); Ctrl-C to stop", err=True)
        try:
            while server.running:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    click.echo("briefing: model server stopped", err=True)


# --------------------------------------------------------------------------- daily, serve, slack


@main.command()
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    help="Articles folder; DIR/<date>/ is used when it exists [env BRIEFING_SOURCES].",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where <date>.md and <date>.json go [env BRIEFING_DAILY_DIR].",
)
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day to brief [default: today].")
@click.option("--title", help="Headline of the briefing.")
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help='A TOML file listing RSS/Atom feeds, feeds = ["https://..."]: their entries of the day and the day '
    "before are briefed too [env BRIEFING_FEEDS].",
)
@model_options
@batch_options
@handle_errors
def daily(
    sources: Path | None, out_dir: Path | None, day: str | None, title: str | None, feeds_file: Path | None, **kw: Any
) -> None:
    """Brief one day's articles into OUT/<date>.md and OUT/<date>.json, with a "Since <previous date>"
    section when an earlier briefing is in OUT. Unchanged articles are answered from the cache.

    \b
    Example:
      briefing daily --sources articles/ --out-dir briefings/ --date 2024-05-01
    """
    from .daily import parse_date, run_daily

    quiet = kw.pop("quiet")
    settings = settings_from(kw)
    if feeds_file is not None:
        settings = settings.with_(feeds_file=feeds_file)
    out_dir = out_dir or settings.daily_dir
    if out_dir is None:
        raise click.UsageError("no output folder: pass --out-dir OUT or set BRIEFING_DAILY_DIR")
    day = parse_date(day)
    with Reporter(quiet) as reporter:
        result = run_daily(
            settings,
            day=day,
            sources_dir=sources,
            out_dir=out_dir,
            title=title,
            progress=reporter.progress,
            on_status=reporter.status,
        )
    for warning in result.warnings:
        reporter.note(f"briefing: warning: {warning}")
    if result.previous_day:
        reporter.note(f"briefing: compared with {result.previous_day}")
    report_run(reporter, result.briefing, result.outputs)


def _uvicorn(app: Any, host: str, port: int) -> None:
    """Serve `app` until SIGINT/SIGTERM. The signal first cancels the app's briefings (`app.state.briefer`),
    so requests waiting for them answer 503 at once and the server closes within SHUTDOWN_GRACE_SECONDS;
    the lifespan then closes the model client (stopping the embedded model)."""
    import uvicorn

    debug = click.get_current_context().find_root().params.get("debug", False)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="debug" if debug else "info",
        proxy_headers=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    briefer = getattr(getattr(app, "state", None), "briefer", None)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            if briefer is not None:
                briefer.shutdown()
            super().handle_exit(sig, frame)

    server = Server(config)
    server.run()  # re-raises the signal that stopped it once it is down
    if not server.started:
        sys.exit(3)  # uvicorn's own status when it could not start (it logged why)


def _require(extra: str, what: str, *modules: str) -> None:
    """Raise the missing-extra error when one of `modules` cannot be imported."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            raise missing_extra(extra, what, name) from None


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve without BRIEFING_API_TOKEN (loopback only: anyone on this machine can then use it).",
)
@click.option("--docs", is_flag=True, help="Also serve the API description at /docs and /openapi.json.")
@model_options
@handle_errors
def serve(port: int, host: str, no_auth: bool, docs: bool, **kw: Any) -> None:
    """Run the HTTP service: POST /v1/briefings, GET /v1/briefings/{date}, GET /healthz, and Slack's
    /slack/events when SLACK_SIGNING_SECRET is set. /v1 needs BRIEFING_API_TOKEN as a bearer token; on
    loopback, --no-auth serves without one. Requests must name this server in their Host header: loopback
    names on loopback, BRIEFING_ALLOWED_HOSTS (comma list) when set.

    \b
    Example:
      BRIEFING_API_TOKEN=$(openssl rand -hex 16) BRIEFING_SOURCES=articles \\
        BRIEFING_DAILY_DIR=briefings briefing serve --port 8000
    """
    _require("serve", "serving over HTTP", "fastapi", "uvicorn")
    from .http import LOOPBACK_HOSTS, create_app

    kw.pop("quiet")
    settings = settings_from(kw)
    loopback = _is_loopback(host)
    if no_auth and not loopback:
        raise click.UsageError(f"--no-auth serves loopback only, not --host {host}: set BRIEFING_API_TOKEN instead")
    hosts = settings.allowed_hosts or (LOOPBACK_HOSTS if loopback else ("*",))
    app = create_app(settings, auth_required=not no_auth, allowed_hosts=hosts, docs=docs)
    _uvicorn(app, host, port)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.group()
def slack() -> None:
    """The /briefing slash command: HTTP mode (`serve`) or Socket Mode (`socket`)."""


@slack.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (put a TLS proxy in front for Slack).",
)
@model_options
@handle_errors
def slack_serve(port: int, host: str, **kw: Any) -> None:
    """Answer /briefing over HTTP at /slack/events (needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN).

    \b
    Example:
      SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... BRIEFING_SOURCES=articles \\
        BRIEFING_DAILY_DIR=briefings briefing slack serve --port 3000
    """
    _require("serve", "the Slack HTTP endpoint", "uvicorn", "starlette")
    _require("slack", "Slack support", "slack_bolt", "aiohttp")
    from .slack import create_asgi

    kw.pop("quiet")
    settings = settings_from(kw)
    _uvicorn(create_asgi(settings), host, port)


@slack.command("socket")
@model_options
@handle_errors
def slack_socket(**kw: Any) -> None:
    """Answer /briefing over Socket Mode: no public URL needed (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN).

    \b
    Example:
      SLACK_APP_TOKEN=xapp-... SLACK_BOT_TOKEN=xoxb-... BRIEFING_SOURCES=articles \\
        BRIEFING_DAILY_DIR=briefings briefing slack socket
    """
    import asyncio

    _require("slack", "Slack support", "slack_bolt", "aiohttp")
    from .slack import check_settings, run_socket_mode

    quiet = kw.pop("quiet")
    settings = settings_from(kw)
    check_settings(settings, socket=True)
    if not quiet:
        click.echo("briefing: connecting to Slack in Socket Mode; Ctrl-C to stop", err=True)
    asyncio.run(run_socket_mode(settings))


if __name__ == "__main__":  # pragma: no cover
    main()
