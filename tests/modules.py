"""Print README's module table from the module docstrings: `python -m tests.modules`.

`tests/test_architecture.py` fails when README's table and the package differ; paste this output there.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rows() -> list[str]:
    out = ["| Module | Job |", "| --- | --- |"]
    for path in sorted((ROOT / "briefing").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        line = doc.strip().splitlines()[0] if doc.strip() else ""
        out.append(f"| `{path.relative_to(ROOT)}` | {line.replace('|', chr(92) + '|')} |")
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
