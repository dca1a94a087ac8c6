"""The house rules that are not import directions (those are import-linter contracts in pyproject.toml,
run by `make test` as `lint-imports`): library code never prints and never reads the environment, unit
tests cannot reach a model, and README's module list is the package's file list.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from briefing.model.openai import OpenAIModel

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "briefing"
EDGES = PACKAGE / "surfaces"


def library_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if EDGES not in p.parents]


def calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def test_library_code_never_prints():
    for path in library_modules():
        assert not [c for c in calls(path) if isinstance(c.func, ast.Name) and c.func.id == "print"], path.name


def test_only_config_reads_the_environment():
    for path in library_modules():
        if path.name == "config.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reads = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and n.attr in {"environ", "getenv"}
            and isinstance(n.value, ast.Name)
            and n.value.id == "os"
        ]
        assert not reads, f"{path.relative_to(ROOT)} reads the environment: only config.py may"


class _Answer(BaseModel):
    ok: bool


async def test_a_unit_test_cannot_send_a_model_request():
    model = OpenAIModel(base_url="http://127.0.0.1:9/v1", api_key="x", model="m", max_attempts=1)
    with pytest.raises(RuntimeError, match="ALLOW_MODEL_REQUESTS"):
        await model.structured([{"role": "user", "content": "hi"}], _Answer)
    assert model.meter.model_calls == 0


def readme_modules() -> dict[str, str]:
    """`path: summary` rows of README's "How it works" module list."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it works", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `(briefing/[\w/]+\.py)` \| (.+?) \|$", section, re.M)}


def first_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def test_readme_lists_every_module_with_its_docstring():
    listed = readme_modules()
    files = {str(p.relative_to(ROOT)): p for p in sorted(PACKAGE.rglob("*.py"))}
    assert set(listed) == set(files), "README's module list and briefing/ differ: run `python -m tests.modules`"
    for name, path in files.items():
        assert first_line(path), f"{name} has no module docstring"
        assert listed[name] == first_line(path).replace("|", "\\|"), f"README's line for {name} is stale"


def test_every_function_a_module_docstring_names_has_a_docstring():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree) or ""
        named = set(re.findall(r"`(\w+)`", doc))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in named:
                assert ast.get_docstring(node), f"{path.relative_to(ROOT)}: {node.name} is named but undocumented"
