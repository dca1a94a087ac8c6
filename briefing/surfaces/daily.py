"""Daily briefings: pick the day's articles, brief them, say what changed, write its three files atomically.

`arun_daily` is the service function behind `briefing daily`, Slack's `/briefing` and the HTTP service:

1. the articles are `SOURCES/<date>/` when that folder exists, otherwise everything in `SOURCES`, plus the
   entries of the feeds listed in the `feeds` TOML file (`Settings.feeds_file`) dated in `feed_window`;
2. the briefing comes from `api.agenerate_briefing` (with the response cache on, an unchanged day costs
   no model call and a new article costs only its own chunks plus the summary);
3. when an earlier briefing is in the output folder, `compute_changes` compares the two and the result
   is stored as `Briefing.changes` (rendered as "Since <date>");
4. `OUT/<date>.md`, `OUT/<date>.html` (the page where every citation opens its source; the day's
   articles are read again for it, unchanged files only), then `OUT/<date>.json`, are written to temp
   files, fsynced, then renamed into place (the JSON, which the next day and every reader use, last) and
   the folder fsynced, all under an OS lock on the folder, so a killed run never leaves half a briefing
   and two processes never mix theirs. Readers serve the JSON and render the Markdown from it.

What changed is computed by the pure stage `changes.compute_changes`.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from ..api import Status, agenerate_briefing
from ..changes import compute_changes
from ..config import Settings
from ..errors import ConfigError, NothingToBrief, SourceError
from ..model import ModelClient
from ..models import Briefing
from ..pipeline import Progress
from ..render.html import to_html
from ..render.markdown import to_markdown
from ..sources import reread
from .files import write_together

FEED_WINDOW_DAYS = 2
"""A daily run briefs the feed entries dated on its day or the day before (a morning run catches the
previous evening's news); entries with no date are briefed too."""

DAY_PATTERN = r"\d{4}-\d{2}-\d{2}"  # a day's name everywhere: folders, files, URLs, Slack
DAY = re.compile(DAY_PATTERN)


# --------------------------------------------------------------------------- dates and files


def parse_date(text: str | None) -> str:
    """`YYYY-MM-DD` checked as a calendar date (today when empty). Never anything else, so never a path."""
    if not text:
        return Date.today().isoformat()
    text = text.strip()
    if not DAY.fullmatch(text):
        raise ConfigError(f"the date must look like 2024-05-01 (YYYY-MM-DD), got {text[:40]!r}")
    try:
        Date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text} is not a calendar date") from None
    return text


def day_folder(sources_dir: Path, day: str) -> Path:
    """`sources_dir/<day>/` when that folder exists, otherwise `sources_dir` itself."""
    folder = sources_dir / parse_date(day)
    return folder if folder.is_dir() else sources_dir


def day_inputs(sources_dir: Path, day: str) -> list[Path]:
    """What to brief for `day`: its own folder when there is one; otherwise everything in `sources_dir`
    except the other days' folders (yesterday's articles are not today's news)."""
    folder = day_folder(sources_dir, day)
    if folder != sources_dir:
        return [folder]
    return sorted(p for p in sources_dir.iterdir() if not (p.is_dir() and DAY.fullmatch(p.name)))


def output_paths(out_dir: Path, day: str) -> tuple[Path, Path]:
    """(`OUT/<day>.md`, `OUT/<day>.json`)."""
    day = parse_date(day)
    return out_dir / f"{day}.md", out_dir / f"{day}.json"


def html_path(out_dir: Path, day: str) -> Path:
    """`OUT/<day>.html`: the briefing page."""
    return out_dir / f"{parse_date(day)}.html"


def briefed_days(out_dir: Path) -> list[str]:
    """Days with a JSON briefing in `out_dir`, oldest first."""
    if not out_dir.is_dir():
        return []
    return sorted(p.stem for p in out_dir.glob("*.json") if DAY.fullmatch(p.stem) and p.is_file())


def previous_day(out_dir: Path, day: str) -> str | None:
    """The latest day before `day` that has a briefing in `out_dir`."""
    earlier = [d for d in briefed_days(out_dir) if d < day]
    return earlier[-1] if earlier else None


def read_briefing(out_dir: Path, day: str) -> Briefing | None:
    """The stored briefing of `day`, or None when there is none. Raises SourceError when it is unreadable."""
    _, json_path = output_paths(out_dir, day)
    try:
        raw = json_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SourceError(f"cannot read {json_path}: {exc.strerror}") from exc
    try:
        return Briefing.model_validate_json(raw)
    except ValidationError as exc:
        raise SourceError(
            f"{json_path} is not a briefing JSON file ({exc.error_count()} problems, first: "
            f"{exc.errors()[0]['msg']}); delete it or re-run `briefing daily --date {day}`"
        ) from None


def read_markdown(out_dir: Path, day: str, briefing: Briefing | None = None) -> str | None:
    """The stored Markdown of `day` (rendered from the JSON when the .md file is missing)."""
    md_path, _ = output_paths(out_dir, day)
    try:
        return md_path.read_text(encoding="utf-8")
    except OSError:
        briefing = briefing or read_briefing(out_dir, day)
        return to_markdown(briefing) if briefing else None


def read_html(out_dir: Path, day: str, *, sources_dir: Path | None = None) -> str | None:
    """The stored page of `day`; rendered from the JSON when the .html file is missing (a day briefed before
    pages were written), with the text of those of its files that are unchanged and inside `sources_dir`."""
    try:
        return html_path(out_dir, day).read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SourceError(f"cannot read {html_path(out_dir, day)}: {exc.strerror}") from exc
    briefing = read_briefing(out_dir, day)
    if briefing is None:
        return None
    texts = reread(briefing.sources, within=sources_dir) if sources_dir is not None else []
    return to_html(briefing, texts)


def stored_briefing(out_dir: Path, day: str) -> tuple[Briefing, str] | None:
    """The stored briefing of `day` and its Markdown, or None when that day has none.

    The Markdown is rendered from the JSON, not read from the `.md` file, so the two served together can
    never disagree (a run killed between the two renames leaves a newer `.md` beside an older `.json`)."""
    briefing = read_briefing(out_dir, day)
    if briefing is None:
        return None
    return briefing, to_markdown(briefing)


# --------------------------------------------------------------------------- the daily run


@dataclass
class DailyRun:
    """What `arun_daily` did: the briefing, where it was written, what it was compared with."""

    briefing: Briefing
    day: str
    folder: Path
    markdown: str
    markdown_path: Path | None = None
    json_path: Path | None = None
    html_path: Path | None = None
    previous_day: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def outputs(self) -> list[Path]:
        return [p for p in (self.markdown_path, self.html_path, self.json_path) if p is not None]


def read_feeds(path: Path) -> list[str]:
    """The `feeds` list of a TOML file (`feeds = ["https://...", ...]`). Raises ConfigError, one line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the feeds file {path}: {exc.strerror}; check --feeds / BRIEFING_FEEDS"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"the feeds file {path} is not valid TOML: {exc}") from None
    feeds = data.get("feeds")
    if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
        raise ConfigError(f'the feeds file {path} needs a list of URLs: feeds = ["https://example.org/rss.xml"]')
    return feeds


def feed_window(day: str) -> tuple[Date, Date]:
    """The days whose feed entries a daily run of `day` briefs (`FEED_WINDOW_DAYS`, ending on `day`)."""
    last = Date.fromisoformat(day)
    return last - timedelta(days=FEED_WINDOW_DAYS - 1), last


def _sources_dir(settings: Settings, sources_dir: Path | None) -> Path:
    folder = sources_dir or settings.sources_dir
    if folder is None:
        raise ConfigError("no articles folder: pass --sources DIR or set BRIEFING_SOURCES")
    if not folder.is_dir():
        raise SourceError(f"articles folder {folder} does not exist: check --sources / BRIEFING_SOURCES")
    return folder


async def arun_daily(
    settings: Settings,
    *,
    day: str | None = None,
    sources_dir: Path | None = None,
    out_dir: Path | None = None,
    client: ModelClient | None = None,
    title: str | None = None,
    progress: Progress | None = None,
    on_status: Status | None = None,
) -> DailyRun:
    """Brief one day (see the module docstring). `sources_dir`/`out_dir` default to the settings'
    `sources_dir`/`daily_dir`; with no output folder nothing is written and there is no "Since" part."""
    day = parse_date(day)
    root = _sources_dir(settings, sources_dir)
    folder = day_folder(root, day)
    out_dir = out_dir or settings.daily_dir
    feeds = read_feeds(settings.feeds_file) if settings.feeds_file is not None else []
    try:
        briefing = await agenerate_briefing(
            day_inputs(root, day),
            feeds=feeds,
            feed_window=feed_window(day),
            settings=settings,
            client=client,
            title=title,
            date=day,
            progress=progress,
            on_status=on_status,
            root=root,
        )
    except NothingToBrief as exc:
        why = "; ".join(f"{path}: {reason}" for path, reason in exc.skipped) or "it holds no .txt or .md file"
        where = f"{root.name}/{day}/" if folder != root else f"{root.name}/"  # Slack and HTTP users see it too
        raise NothingToBrief(f"no article to brief for {day} in {where}: {why}", exc.skipped) from None
    run = DailyRun(briefing=briefing, day=day, folder=folder, markdown="")
    if out_dir is not None:
        before = previous_day(out_dir, day)
        if before is not None:
            try:
                previous = await asyncio.to_thread(read_briefing, out_dir, before)
            except SourceError as exc:
                run.warnings.append(f"no 'Since {before}' section: {exc}")
            else:
                if previous is not None:
                    run.briefing = briefing.model_copy(update={"changes": compute_changes(previous, briefing, before)})
                    run.previous_day = before
    run.markdown = to_markdown(run.briefing)
    if out_dir is not None:
        run.markdown_path, run.json_path = output_paths(out_dir, day)
        run.html_path = html_path(out_dir, day)
        await asyncio.to_thread(_write, run, settings.sources_dir)
    return run


def _write(run: DailyRun, root: Path | None) -> None:
    """The day's files under the output folder's OS lock (two processes briefing one day take turns), each
    temp file fsynced before any is renamed: the Markdown, the page, then the JSON."""
    assert run.markdown_path and run.json_path and run.html_path
    page = to_html(run.briefing, reread(run.briefing.sources, within=root))
    try:
        write_together(
            [
                (run.markdown_path, run.markdown),
                (run.html_path, page),
                (run.json_path, run.briefing.model_dump_json(indent=2)),
            ],
            lock=True,
        )
    except OSError as exc:
        raise SourceError(
            f"cannot write the briefing to {run.markdown_path.parent.name}/: {exc.strerror}; check --out-dir / "
            "BRIEFING_DAILY_DIR and its permissions"
        ) from exc


def run_daily(settings: Settings, **options) -> DailyRun:
    """Synchronous twin of `arun_daily` (same arguments). Not for use inside a running event loop."""
    return asyncio.run(arun_daily(settings, **options))


__all__ = [
    "DailyRun",
    "arun_daily",
    "briefed_days",
    "day_folder",
    "output_paths",
    "parse_date",
    "previous_day",
    "html_path",
    "read_briefing",
    "read_html",
    "read_markdown",
    "run_daily",
    "stored_briefing",
]
