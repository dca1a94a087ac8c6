"""The dependency direction stays as the README draws it: edges -> api -> pipeline -> stages -> models.

Renderers import only the models; nothing in the library imports an edge (CLI, Slack, HTTP);
only llm.py imports openai and only chunking.py imports tiktoken.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"
EDGES = {"cli", "slackbot", "service"}


def imports_of(path: Path) -> set[str]:
    """Top-level names of every module `path` imports (relative imports resolved inside the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .x import y / from ..models import z
                base = node.module or ""
                found |= {f"briefing.{base}".rstrip(".")} if base else {f"briefing.{a.name}" for a in node.names}
            elif node.module:
                found.add(node.module)
    return found


def modules() -> dict[str, set[str]]:
    return {str(p.relative_to(PACKAGE).with_suffix("")).replace("/", "."): imports_of(p) for p in PACKAGE.rglob("*.py")}


def test_renderers_import_only_the_models():
    for name, deps in modules().items():
        if name.startswith("render."):
            internal = {d for d in deps if d.startswith("briefing.")}
            assert internal <= {"briefing.models", "briefing.markdown", "briefing.render"}, (name, internal)


def test_no_library_module_imports_an_edge():
    for name, deps in modules().items():
        if name.split(".")[0] in EDGES or name == "__main__":
            continue
        assert not {d for d in deps if d.removeprefix("briefing.").split(".")[0] in EDGES}, name


def test_only_llm_imports_openai_and_only_chunking_imports_tiktoken():
    for name, deps in modules().items():
        if any(d == "openai" or d.startswith("openai.") for d in deps):
            assert name == "llm", name
        if any(d == "tiktoken" or d.startswith("tiktoken.") for d in deps):
            assert name == "chunking", name


def test_library_code_never_prints():
    for path in PACKAGE.rglob("*.py"):
        if path.stem in EDGES:
            continue
        calls = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]
        assert not [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "print"], path.name
