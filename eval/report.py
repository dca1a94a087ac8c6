"""Quality report (`make eval`, after eval/run.py): docs/quality.md and its plots from eval/results.json.

    python -m eval.report [--results eval/results.json] [--baseline eval/baseline.json] [--out-dir docs]

Writes `<out-dir>/quality.md` (the model and endpoint, the date, one row per set, how to reproduce) and one
PNG per section under `<out-dir>/quality/` (matplotlib, Agg backend): bars per set, before vs after when a
baseline results file is given (by default eval/baseline.json when it exists; make one with
`cp eval/results.json eval/baseline.json` before a change). Every number shown is read from those files or
summed from them; nothing is typed in here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "eval" / "results.json"
BASELINE = ROOT / "eval" / "baseline.json"
DOCS = ROOT / "docs"

# The plotted sections: (the section's key in a set's `scores`, its title, the ratios plotted).
SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("positions", "Positions", ("precision", "recall")),
    ("movements", "Military movements", ("precision", "recall")),
    ("combined", "Positions and movements together", ("precision", "recall")),
    ("disagreements", "Where sources disagree", ("precision", "recall")),
    ("key_facts", "Key facts covered", ("coverage",)),
]


# --------------------------------------------------------------------------- reading results


def load(path: Path) -> dict[str, Any]:
    """A results file as written by eval/run.py (or `briefing eval --out`)."""
    return json.loads(path.read_text(encoding="utf-8"))


def sets_of(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set name -> its result (`clusters` in results files written before gold scoring)."""
    return results.get("sets") or results.get("clusters") or {}


def _at(entry: dict[str, Any], *path: str) -> Any:
    node: Any = entry
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _first(entry: dict[str, Any], *paths: tuple[str, ...]) -> Any:
    for path in paths:
        value = _at(entry, *path)
        if value is not None:
            return value
    return None


def citations(entry: dict[str, Any]) -> tuple[int, int] | None:
    """(verified, total) citations of one set."""
    verified = _first(entry, ("citations", "verified"), ("citations_verified",))
    total = _first(entry, ("citations", "total"), ("citations",))
    return (verified, total) if isinstance(verified, int) and isinstance(total, int) else None


def calls(entry: dict[str, Any]) -> tuple[int, int] | None:
    """(model calls, cached calls) of one set."""
    live = _first(entry, ("cost", "model_calls"), ("model_calls",))
    cached = _first(entry, ("cost", "cached_calls"), ("cached_calls",))
    return (live, cached or 0) if isinstance(live, int) else None


def seconds(entry: dict[str, Any]) -> float | None:
    value = _first(entry, ("cost", "seconds"), ("seconds",))
    return float(value) if isinstance(value, int | float) else None


def rouge1(entry: dict[str, Any]) -> float | None:
    """Best ROUGE-1 F1 of the key points against the reference summaries (None without references)."""
    return _at(entry, "rouge", "rouge1", "best")


def _sum(entries: list[dict[str, Any]], *path: str) -> int | None:
    values = [_at(e, *path) for e in entries]
    return sum(values) if values and all(isinstance(v, int) for v in values) else None


def _share(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 3) if part is not None and whole else None


def totals(results: dict[str, Any]) -> dict[str, Any]:
    """Every set together (micro-averaged): summed counts, and ratios of the sums, in a set's result layout."""
    entries = list(sets_of(results).values())
    scores: dict[str, Any] = {}
    for section in ("positions", "movements", "combined", "disagreements"):
        shown, matched = _sum(entries, "scores", section, "shown"), _sum(entries, "scores", section, "matched")
        gold, found = _sum(entries, "scores", section, "gold"), _sum(entries, "scores", section, "found")
        scores[section] = {"precision": _share(matched, shown), "recall": _share(found, gold)}
        if section != "disagreements":
            scores[section]["wrong_actor"] = _sum(entries, "scores", section, "wrong_actor")
    covered, facts = _sum(entries, "scores", "key_facts", "covered"), _sum(entries, "scores", "key_facts", "gold")
    scores["key_facts"] = {"coverage": _share(covered, facts)}
    checked = [c for e in entries if (c := citations(e))]
    counted = [c for e in entries if (c := calls(e))]
    timed = [s for e in entries if (s := seconds(e)) is not None]
    return {
        "scores": scores,
        "citations": {"verified": sum(v for v, _ in checked), "total": sum(t for _, t in checked)}
        if len(checked) == len(entries)
        else None,
        "cost": {
            "model_calls": sum(n for n, _ in counted) if len(counted) == len(entries) else None,
            "cached_calls": sum(c for _, c in counted) if len(counted) == len(entries) else None,
            "seconds": round(sum(timed), 1) if len(timed) == len(entries) else None,
        },
    }


# --------------------------------------------------------------------------- cells


def _ratio(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "–"


def _wrong(entry: dict[str, Any]) -> str:
    pos, mov = _at(entry, "scores", "positions", "wrong_actor"), _at(entry, "scores", "movements", "wrong_actor")
    return "–" if pos is None and mov is None else f"{'–' if pos is None else pos}/{'–' if mov is None else mov}"


def _citations_cell(entry: dict[str, Any]) -> str:
    c = citations(entry)
    return f"{c[0]}/{c[1]}" if c else "–"


def _calls_cell(entry: dict[str, Any]) -> str:
    c = calls(entry)
    if not c:
        return "–"
    return f"{c[0]} ({c[1]} cached)" if c[1] else str(c[0])


def _seconds_cell(entry: dict[str, Any]) -> str:
    s = seconds(entry)
    return "–" if s is None else f"{s:.1f}"


def _r(*path: str) -> Callable[[dict[str, Any]], str]:
    return lambda entry: _ratio(_at(entry, *path))


# (header, cell of one set's result)
COLUMNS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("Pos P", _r("scores", "positions", "precision")),
    ("Pos R", _r("scores", "positions", "recall")),
    ("Mov P", _r("scores", "movements", "precision")),
    ("Mov R", _r("scores", "movements", "recall")),
    ("All P", _r("scores", "combined", "precision")),
    ("All R", _r("scores", "combined", "recall")),
    ("Wrong actor (pos/mov)", _wrong),
    ("Dis P", _r("scores", "disagreements", "precision")),
    ("Dis R", _r("scores", "disagreements", "recall")),
    ("Key facts", _r("scores", "key_facts", "coverage")),
    ("Citations verified", _citations_cell),
    ("ROUGE-1", lambda e: _ratio(rouge1(e))),
    ("Model calls", _calls_cell),
    ("Seconds", _seconds_cell),
]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def results_table(results: dict[str, Any]) -> str:
    """One row per set, and a last row of every set together (counts summed, ratios of the sums)."""
    sets = sets_of(results)
    rows = [[f"`{name}`", *(cell(entry) for _, cell in COLUMNS)] for name, entry in sets.items()]
    if len(sets) > 1:
        rows.append(["all sets", *(cell(totals(results)) for _, cell in COLUMNS)])
    return _table(["Set", *(h for h, _ in COLUMNS)], rows)


def comparison_table(results: dict[str, Any], baseline: dict[str, Any]) -> str:
    """Before -> after, one row per set found in either file."""
    after, before = sets_of(results), sets_of(baseline)
    names = [*after, *(n for n in before if n not in after)]
    rows = []
    for name in names:
        cells = [f"`{name}`"]
        for _, cell in COLUMNS:
            old = cell(before[name]) if name in before else "–"
            new = cell(after[name]) if name in after else "–"
            cells.append(new if old == new else f"{old} → {new}")
        rows.append(cells)
    if len(names) > 1:
        old_all, new_all = totals(baseline), totals(results)
        pairs = [(cell(old_all), cell(new_all)) for _, cell in COLUMNS]
        rows.append(["all sets", *(new if old == new else f"{old} → {new}" for old, new in pairs)])
    return _table(["Set", *(h for h, _ in COLUMNS)], rows)


# --------------------------------------------------------------------------- plots


def plot_section(
    path: Path,
    section: str,
    title: str,
    metrics: tuple[str, ...],
    results: dict[str, Any],
    baseline: dict[str, Any] | None,
) -> None:
    """Bars per set for each metric of one section (before and after with a baseline); a missing value
    (nothing to divide by) draws no bar."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    after = sets_of(results)
    before = sets_of(baseline) if baseline else {}
    names = [*after, *(n for n in before if n not in after)]
    series: list[tuple[str, list[float], dict[str, Any]]] = []
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    for i, label in enumerate(metrics):
        colour = colours[i % len(colours)]
        metric = ("scores", section, label)
        if baseline is not None:
            values = [_value(before.get(n), metric) for n in names]
            series.append((f"{label}, before", values, {"color": colour, "alpha": 0.35, "hatch": "//"}))
            values = [_value(after.get(n), metric) for n in names]
            series.append((f"{label}, after", values, {"color": colour}))
        else:
            series.append((label, [_value(after.get(n), metric) for n in names], {"color": colour}))

    fig = Figure(figsize=(max(6.0, 1.2 * len(names) + 2.5), 4.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(series))
    for k, (label, values, style) in enumerate(series):
        xs = [x - 0.4 + width * (k + 0.5) for x in range(len(names))]
        bars = ax.bar(xs, values, width, label=label, edgecolor=style["color"], **style)
        ax.bar_label(bars, labels=["" if v != v else f"{v:.2f}" for v in values], fontsize=6, padding=1)
        for x, v in zip(xs, values, strict=True):
            if v != v:  # NaN: nothing to divide by
                ax.text(x, 0.01, "n/a", ha="center", va="bottom", rotation=90, fontsize=6, color="0.4")
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=7)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("share")
    ax.set_title(title)
    fig.legend(fontsize=7, ncols=min(4, len(series)), loc="outside upper right", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.savefig(path, dpi=110, metadata={"Software": None})


def _value(entry: dict[str, Any] | None, path: tuple[str, ...]) -> float:
    value = _at(entry, *path) if entry else None
    return float(value) if isinstance(value, int | float) else float("nan")


# --------------------------------------------------------------------------- the page


def _run_line(results: dict[str, Any]) -> str:
    model = results.get("model") or "(not recorded)"
    endpoint = results.get("endpoint") or "(not recorded)"
    if all(e.strip().startswith("http://127.0.0.1:") for e in endpoint.split(",")):
        endpoint = "the embedded model on loopback"  # one port per run: the ports say nothing
    kind = f" ({results['endpoint_kind']})" if results.get("endpoint_kind") else ""
    date = results.get("date") or "(not recorded)"
    return f"model `{model}` at `{endpoint}`{kind}, run on {date}"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def render(
    results: dict[str, Any], baseline: dict[str, Any] | None, results_path: Path, baseline_path: Path | None
) -> str:
    """The Markdown page (the plots are referenced as `quality/<section>.png`)."""
    parts = [
        "# Quality",
        "",
        f"Briefings scored against the analysts' gold annotations in `../shared/gold/`: {_run_line(results)}. "
        f"Read from `{_display(results_path)}`.",
        "",
        "P = precision (shown items that match a gold item / shown items), R = recall (gold items matched / "
        "gold items), by the matching rule in `../shared/gold/README.md`. *Wrong actor*: shown items that cite a "
        "gold item's sentence under another actor. *Key facts*: gold key facts whose sentence some citation "
        "touches. *Citations verified*: citations whose quote is their file's exact words at their offsets "
        "(must be all). *ROUGE-1*: best F1 of the key points against the reference summaries (sets that have them). "
        "*All sets*: counts summed over the sets, ratios of the sums. `–`: nothing to divide by, or not recorded.",
        "",
        results_table(results),
        "",
    ]
    errors = results.get("errors") or {}
    if errors:
        parts += ["Not scored or not fully grounded:", ""]
        parts += [f"- `{name}`: {message}" for name, message in errors.items()]
        parts.append("")
    if baseline is not None and baseline_path is not None:
        parts += [
            "## Before and after",
            "",
            f"Before: `{_display(baseline_path)}`, {_run_line(baseline)}. After: the table above. "
            "A cell shows `before → after`, or one value when both are equal.",
            "",
            comparison_table(results, baseline),
            "",
        ]
    parts += ["## Plots", ""]
    for stem, title, _ in SECTIONS:
        parts += [f"![{title}](quality/{stem}.png)", ""]
    parts += [
        "## Reproduce",
        "",
        "```sh",
        "make eval                                   # brief and score seeds/ and ../shared/eval/*, write this page",
        "make eval CLUSTERS=../shared/eval/<one>     # one set",
        ".venv/bin/python -m eval.run --briefings DIR  # score stored briefings DIR/<set>.json, no model",
        "cp eval/results.json eval/baseline.json     # before a change: the next report shows before and after",
        ".venv/bin/python -m eval.report --baseline eval/baseline.json",
        ".venv/bin/briefing eval seeds/ --gold ../shared/gold/seeds.json   # one folder from the command line",
        "```",
        "",
        "The endpoint is whatever the environment configures (the embedded model by default; see README).",
        "",
    ]
    return "\n".join(parts)


def write_report(results_path: Path = RESULTS, baseline_path: Path | None = None, out_dir: Path = DOCS) -> list[Path]:
    """Write `out_dir/quality.md` and `out_dir/quality/<section>.png`; returns the files written."""
    results = load(results_path)
    baseline = load(baseline_path) if baseline_path is not None else None
    plots = out_dir / "quality"
    plots.mkdir(parents=True, exist_ok=True)
    written = []
    for section, title, metrics in SECTIONS:
        path = plots / f"{section}.png"
        plot_section(path, section, title, metrics, results, baseline)
        written.append(path)
    page = out_dir / "quality.md"
    text = render(results, baseline, results_path, baseline_path)
    notes = results_path.parent / "notes.md"  # what the numbers do not say by themselves, written by hand
    if notes.is_file():
        text = text.rstrip("\n") + "\n\n" + notes.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    return [page, *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.report", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="results file [eval/results.json]")
    parser.add_argument(
        "--baseline", type=Path, help="an earlier results file to compare with [eval/baseline.json if it exists]"
    )
    parser.add_argument("--no-baseline", action="store_true", help="no before/after, even if eval/baseline.json exists")
    parser.add_argument("--out-dir", type=Path, default=DOCS, help="where quality.md and quality/*.png go [docs]")
    args = parser.parse_args(argv)
    if not args.results.is_file():
        parser.error(f"{args.results} does not exist: run `make eval` (or python -m eval.run) first")
    baseline = None if args.no_baseline else args.baseline or (BASELINE if BASELINE.is_file() else None)
    if baseline is not None and not baseline.is_file():
        parser.error(f"baseline {baseline} does not exist")
    for path in write_report(args.results, baseline, args.out_dir):
        print(f"report: wrote {_display(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
