"""Slack Block Kit: a `Briefing` as one message that Slack accepts. Imports only the models.

Slack's limits, all enforced here (slack_sdk checks some of them, not the block count):
* at most `MAX_BLOCKS` (50) blocks a message; when a briefing needs more, the last parts are cut
  (citations first, being last) and a final context block says what was cut and where the full
  briefing is (a link, or a file the caller names);
* at most `MAX_SECTION_CHARS` (3000) characters of text a section: each part is split on line
  boundaries (a single longer line on a space);
* at most `MAX_HEADER_CHARS` (150) characters in the header.

Article and model text is untrusted: in mrkdwn it is escaped (`&`, `<`, `>` become entities, so
`<!channel>`, `<!here>`, `<@U123>` and `<http://x|y>` show as text and ping or link nobody), bare
`@channel`/`@here`/`@everyone` get a zero-width space, and sections are sent `verbatim` so Slack
does not turn names into links. Plain-text fields (the header) cannot mention anyone, but `<!` and
`<@` are broken up there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models import Briefing, Citation, file_name
from .sections import Markup, Section, outline

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_CHARS = 2000
ZWSP = "\u200b"
_BROADCAST = re.compile(r"(@)(channel|here|everyone)\b", re.IGNORECASE)
_PLAIN_CONTROL = re.compile(r"<([!@#])")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Untrusted text -> safe mrkdwn on one line: entities for &, <, >; broadcasts defused."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: m.group(1) + ZWSP + m.group(2), text)


def plain(text: str) -> str:
    """Untrusted text -> a safe plain_text value on one line."""
    text = " ".join(text.split())
    text = _PLAIN_CONTROL.sub(lambda m: "<" + ZWSP + m.group(1), text)
    return _BROADCAST.sub(lambda m: m.group(1) + ZWSP + m.group(2), text)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut on a space with an ellipsis, never inside an `&...;` entity."""
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, limit - 1)
    space = text.rfind(" ", 0, cut)
    if space > limit // 2:
        cut = space
    return text[:cut].rstrip() + "…"


def _safe_cut(text: str, at: int) -> int:
    amp = text.rfind("&", max(0, at - 8), at)
    if amp != -1 and ";" not in text[amp:at]:
        return amp
    return at


@dataclass
class SlackMessage:
    """Blocks for `chat.postMessage` / a response_url, the notification text, and what had to be cut."""

    blocks: list[Block]
    text: str
    cut: list[str] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """True when something had to be cut to fit Slack's limits."""
        return bool(self.cut)


SLACK = Markup(
    escape=escape,
    strong=lambda text: f"*{text}*",
    emphasis=lambda text: f"_{text}_",
    path=escape,
    bullets=("• ", "    ◦ "),
    refs=lambda numbers: " " + "".join(f"[{n}]" for n in numbers) if numbers else "",
)


def _lines(s: Section) -> list[str]:
    """A section's mrkdwn lines (its title is added by the caller); sub-sections under an italic title."""
    if s.is_empty:
        return [f"_{s.empty}_"]
    lines = [SLACK.line(line, s.form, i) for i, line in enumerate(s.lines, 1)]
    for sub in s.subsections:
        lines += [f"_{sub.title}_", *_lines(sub)]
    return lines


def _parts(b: Briefing) -> list[tuple[str, list[str]]]:
    """(part title, mrkdwn lines) in reading order: the sections of `outline`, then the citations."""
    doc = outline(b)
    parts = [(s.title, _lines(s)) for s in doc.sections]
    if doc.citations:
        paged = {s.path: s for s in b.sources if s.pages}

        def where(c: Citation) -> str:
            page = paged[c.source].page_of(c.start) if c.source in paged else None
            return f"characters {c.start}–{c.end}" + (f", page {page}" if page else "")

        parts.append(
            (
                "Citations",
                [
                    f"[{i}] {escape(file_name(c.source))} ({where(c)}): “{escape(c.quote)}”"
                    for i, c in enumerate(doc.citations, 1)
                ],
            )
        )
    return parts


def split_text(lines: list[str], limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Join lines into texts of at most `limit` characters, breaking between lines (a longer line on spaces)."""
    pieces: list[str] = []
    for line in lines:
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            space = line.rfind(" ", 0, cut)
            cut = space if space > limit // 2 else cut
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        pieces.append(line)
    texts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            texts.append(current)
            current = piece
    if current:
        texts.append(current)
    return texts


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten(text, MAX_CONTEXT_CHARS), "verbatim": True}],
    }


def to_slack(briefing: Briefing, *, link: str | None = None, where: str | None = None) -> SlackMessage:
    """Render `briefing` for Slack. `link` (a URL) or `where` (plain words, e.g. "the attached file")
    says where the full briefing is; it is named in the last block whenever something had to be cut."""
    b = briefing
    header: Block = {
        "type": "header",
        "text": {"type": "plain_text", "text": shorten(plain(b.title), MAX_HEADER_CHARS), "emoji": True},
    }
    briefed = sum(1 for s in b.sources if s.status == "briefed")
    skipped = len(b.sources) - briefed
    when = b.date or b.generated_at.strftime("%Y-%m-%d")
    meta = f"{when} · {briefed} source{'s' if briefed != 1 else ''} briefed"
    meta += f", {skipped} skipped" if skipped else ""
    u = b.usage
    meta += f" · {u.model_calls} model calls ({u.cached_calls} cached)"
    if u.model:
        meta += f" · model {escape(u.model)}"

    parts = [(title, [_section(t) for t in split_text([f"*{escape(title)}*", *lines])]) for title, lines in _parts(b)]
    full = f"<{_url(link)}|the full briefing>" if link else (escape(where) if where else None)
    shown = _allot(parts, MAX_BLOCKS - 3)  # header, meta and one block kept for the closing note
    blocks: list[Block] = [header, _context(meta)]
    cut: list[str] = []
    for (title, sections), n in zip(parts, shown, strict=True):
        blocks += sections[:n]
        if n < len(sections):
            cut.append(f"the rest of {title}" if n else title)

    if cut:
        note = f"Cut to fit Slack's {MAX_BLOCKS}-block limit: {', '.join(cut)}."
        note += f" Everything is in {full}." if full else " The Markdown briefing has everything."
        blocks.append(_context(note))
    elif full:
        blocks.append(_context(f"Every citation with its exact words: {full}."))
    fallback = shorten(plain(f"{b.title} ({when})"), MAX_SECTION_CHARS)
    return SlackMessage(blocks=blocks, text=fallback, cut=cut)


def _allot(parts: list[tuple[str, list[Block]]], room: int) -> list[int]:
    """How many sections of each part fit in `room` blocks: first one for every part (in reading order), then
    the rest in reading order, citations last, so a long part never crowds the others out entirely."""
    shown = [0] * len(parts)
    order = [i for i, (title, _) in enumerate(parts) if title != "Citations"]
    order += [i for i, (title, _) in enumerate(parts) if title == "Citations"]
    for i in order:
        if room and parts[i][1]:
            shown[i], room = 1, room - 1
    for i in order:
        extra = min(room, len(parts[i][1]) - shown[i])
        shown[i] += extra
        room -= extra
    return shown


def _url(link: str) -> str:
    """A URL inside `<url|label>`: the characters that would end the link are percent-encoded."""
    return link.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")


__all__ = [
    "MAX_BLOCKS",
    "MAX_HEADER_CHARS",
    "MAX_SECTION_CHARS",
    "SlackMessage",
    "escape",
    "plain",
    "split_text",
    "to_slack",
]
