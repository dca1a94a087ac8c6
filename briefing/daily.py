"""Daily briefings: pick the day's articles, brief them, say what changed, write both files atomically.

`arun_daily` is the service function behind `briefing daily`, Slack's `/briefing` and the HTTP service:

1. the articles are `SOURCES/<date>/` when that folder exists, otherwise everything in `SOURCES`;
2. the briefing comes from `api.agenerate_briefing` (with the response cache on, an unchanged day costs
   no model call and a new article costs only its own chunks plus the summary);
3. when an earlier briefing is in the output folder, `compute_changes` compares the two and the result
   is stored as `Briefing.changes` (rendered as "Since <date>");
4. `OUT/<date>.md`, then `OUT/<date>.json`, are each written to a temp file and renamed into place, so
   a killed run never leaves half a briefing (the JSON, which the next day reads, comes last).

`compute_changes` is pure: actors match by name or alias (case-insensitive, with the known synonyms
of `aliases`), positions and movements by actor plus wording (`merge.similarity`) or by citing the same
words of the same file, questions by wording or citation.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from pydantic import ValidationError

from .aliases import AliasResolver
from .aliases import fold as fold_name
from .api import Status, agenerate_briefing
from .config import Settings
from .errors import ConfigError, NothingToBrief, SourceError
from .files import write_atomic
from .llm import ModelClient
from .merge import SIMILAR, similarity
from .models import Briefing, Changes, Cited, MilitaryMovement, OpenQuestion, Position
from .pipeline import Progress
from .render.markdown import to_markdown

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SAME = SIMILAR + 0.2  # the wording overlap at which merge() already treats two items as one


# --------------------------------------------------------------------------- dates and files


def parse_date(text: str | None) -> str:
    """`YYYY-MM-DD` checked as a calendar date (today when empty). Never anything else, so never a path."""
    if not text:
        return Date.today().isoformat()
    text = text.strip()
    if not DATE.fullmatch(text):
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


_DAY_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_inputs(sources_dir: Path, day: str) -> list[Path]:
    """What to brief for `day`: its own folder when there is one; otherwise everything in `sources_dir`
    except the other days' folders (yesterday's articles are not today's news)."""
    folder = day_folder(sources_dir, day)
    if folder != sources_dir:
        return [folder]
    return sorted(p for p in sources_dir.iterdir() if not (p.is_dir() and _DAY_NAME.fullmatch(p.name)))


def output_paths(out_dir: Path, day: str) -> tuple[Path, Path]:
    """(`OUT/<day>.md`, `OUT/<day>.json`)."""
    day = parse_date(day)
    return out_dir / f"{day}.md", out_dir / f"{day}.json"


def briefed_days(out_dir: Path) -> list[str]:
    """Days with a JSON briefing in `out_dir`, oldest first."""
    if not out_dir.is_dir():
        return []
    return sorted(p.stem for p in out_dir.glob("*.json") if DATE.fullmatch(p.stem) and p.is_file())


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


# --------------------------------------------------------------------------- what changed


class _Names:
    """Which actor names denote the same actor, across two briefings.

    Names are folded (case, possessives, punctuation) and known synonyms mapped to one name; every
    actor's name and aliases are then joined into one group (union-find), in either briefing.
    """

    def __init__(self, *briefings: Briefing) -> None:
        self._parent: dict[str, str] = {}
        for b in briefings:
            for actor in b.actors:
                for alias in actor.aliases:
                    self._union(actor.name, alias)

    @staticmethod
    def _norm(name: str) -> str:
        synonym = AliasResolver.synonym(name)
        return (synonym or fold_name(name).removeprefix("the ")).casefold()

    def _find(self, key: str) -> str:
        while self._parent.get(key, key) != key:
            key = self._parent[key]
        return key

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(self._norm(a)), self._find(self._norm(b))
        if ra != rb:
            self._parent[rb] = ra

    def key(self, name: str) -> str:
        return self._find(self._norm(name))


def _source_ids(b: Briefing) -> dict[str, str]:
    """Path -> content identity (sha256 when known): the same file briefed twice is the same source."""
    return {r.path: r.sha256 or r.path for r in b.sources}


def _shared_words(a: Cited, ids_a: dict[str, str], b: Cited, ids_b: dict[str, str]) -> bool:
    """True when both items cite overlapping words of the same file content."""
    return any(
        ids_a.get(x.source, x.source) == ids_b.get(y.source, y.source) and x.start < y.end and y.start < x.end
        for x in a.citations
        for y in b.citations
    )


def compute_changes(previous: Briefing, current: Briefing, previous_date: str) -> Changes:
    """What `current` says that `previous` did not, and which of its open questions are still open."""
    names = _Names(previous, current)
    ids_prev, ids_cur = _source_ids(previous), _source_ids(current)

    known = {names.key(a.name) for a in previous.actors}
    known |= {names.key(p.actor) for p in previous.positions}
    known |= {names.key(m.actor) for m in previous.military_movements}
    new_actors = [a for a in current.actors if names.key(a.name) not in known]

    def stated_before(p: Position) -> bool:
        return any(
            names.key(q.actor) == names.key(p.actor)
            and (_shared_words(p, ids_cur, q, ids_prev) or similarity(p.stance, q.stance) >= SAME)
            for q in previous.positions
        )

    changed_positions = [p for p in current.positions if names.key(p.actor) in known and not stated_before(p)]

    def reported_before(m: MilitaryMovement) -> bool:
        return any(
            names.key(n.actor) == names.key(m.actor)
            and (
                _shared_words(m, ids_cur, n, ids_prev)
                or similarity(f"{m.what} {m.where}", f"{n.what} {n.where}") >= SAME
            )
            for n in previous.military_movements
        )

    new_movements = [m for m in current.military_movements if not reported_before(m)]

    answered: list[OpenQuestion] = []
    still_open: list[OpenQuestion] = []
    for q in previous.open_questions:
        today = next(
            (
                t
                for t in current.open_questions
                if _shared_words(t, ids_cur, q, ids_prev) or similarity(t.question, q.question) >= SAME
            ),
            None,
        )
        if today is None:
            answered.append(q)  # cited where it was raised
        elif today not in still_open:
            still_open.append(today)  # cited where it is raised today

    return Changes(
        previous_date=previous_date,
        new_actors=new_actors,
        changed_positions=changed_positions,
        new_movements=new_movements,
        answered_questions=answered,
        still_open=still_open,
    )


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
    previous_day: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def outputs(self) -> list[Path]:
        return [p for p in (self.markdown_path, self.json_path) if p is not None]


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
    try:
        briefing = await agenerate_briefing(
            day_inputs(root, day), settings=settings, client=client, title=title, date=day, progress=progress, on_status=on_status
        )
    except NothingToBrief as exc:
        why = "; ".join(f"{path}: {reason}" for path, reason in exc.skipped) or "it holds no .txt or .md file"
        raise NothingToBrief(f"no article to brief for {day} in {folder}: {why}", exc.skipped) from None
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
        await asyncio.to_thread(_write, run)
    return run


def _write(run: DailyRun) -> None:
    assert run.markdown_path and run.json_path
    try:
        write_atomic(run.markdown_path, run.markdown)
        write_atomic(run.json_path, run.briefing.model_dump_json(indent=2))
    except OSError as exc:
        raise SourceError(
            f"cannot write the briefing to {run.markdown_path.parent}: {exc.strerror}; check --out-dir / "
            "BRIEFING_DAILY_DIR and its permissions"
        ) from exc


def run_daily(settings: Settings, **options) -> DailyRun:
    """Synchronous twin of `arun_daily` (same arguments). Not for use inside a running event loop."""
    return asyncio.run(arun_daily(settings, **options))


__all__ = [
    "DailyRun",
    "arun_daily",
    "briefed_days",
    "compute_changes",
    "day_folder",
    "output_paths",
    "parse_date",
    "previous_day",
    "read_briefing",
    "read_markdown",
    "run_daily",
]
