"""A real headless Chromium for the HTML page's tests, and the README screenshot.

Chromium comes from the system's package manager (`make test` installs Debian's `chromium` when
/usr/bin/chromium is missing); Playwright drives it through `executable_path` (its own browser download
cannot work offline). Each launch gets a fresh profile and no network features.

    python -m tests.browser BRIEFING.json OUT.png [--width 1280] [--click N]

renders a stored briefing (its source files read again from the paths it records, unchanged ones only),
opens citation N in the source pane and saves a screenshot: how docs/html-view.png is made.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@contextmanager
def chromium() -> Iterator[BrowserContext]:
    """One headless Chromium with a fresh, throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="briefing-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, viewport=DESKTOP
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page_file: Path, out: Path, *, width: int = DESKTOP["width"], click: int | None = 1) -> None:
    """Open `page_file`, click citation `click` (none when None) and save the viewport as `out`."""
    with chromium() as context:
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
        page.goto(page_file.resolve().as_uri())
        if click is not None:
            page.click(f'a.cite[data-cite="{click}"]')
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))


def main() -> None:
    from briefing.models import Briefing
    from briefing.render import to_html
    from briefing.sources import reread

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("briefing", type=Path, help="A Briefing JSON (briefing run --json).")
    parser.add_argument("out", type=Path, help="The PNG to write.")
    parser.add_argument("--width", type=int, default=DESKTOP["width"])
    parser.add_argument("--click", type=int, default=1, help="The citation to open (0: none).")
    args = parser.parse_args()
    briefing = Briefing.model_validate_json(args.briefing.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "briefing.html"
        page_file.write_text(to_html(briefing, reread(briefing.sources)), encoding="utf-8")
        screenshot(page_file, args.out, width=args.width, click=args.click or None)


if __name__ == "__main__":
    main()
