"""The house rules the code's layout depends on, checked on the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "softmax" / "ui"
PAGES = re.findall(r'\bpage\("(\w+)"', (ROOT / "app.py").read_text())


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, as dotted names (`from a import b` gives a and a.b)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_app_py_registers_every_page_module():
    assert len(PAGES) >= 6
    assert all((UI / f"{page}.py").is_file() for page in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_no_page_module_imports_another_page_module(page):
    others = {f"softmax.ui.{other}" for other in PAGES if other != page}
    assert not imported_modules(UI / f"{page}.py") & others


@pytest.mark.parametrize("module", sorted(p.name for p in (ROOT / "softmax").glob("*.py")), ids=str)
def test_the_numerics_never_import_streamlit(module):
    imported = imported_modules(ROOT / "softmax" / module)
    assert not {name for name in imported if name.split(".")[0] == "streamlit"}


def speaking_functions() -> set[tuple[str, str]]:
    """(module, function) for each function of softmax/*.py that takes the messages `t`."""
    found = set()
    for path in (ROOT / "softmax").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                argument.arg == "t" for argument in [*node.args.args, *node.args.kwonlyargs]
            ):
                found.add((path.stem, node.name))
    return found


@pytest.mark.parametrize("view", sorted(p.name for p in UI.glob("*.py")), ids=str)
def test_a_view_passes_its_language_to_every_figure_and_sentence(view):
    """softmax's figures and sentences default to English (for the CLI); a view that forgets
    `t=` would show English words in a Korean page, often in a tooltip no test reads."""
    speaking = speaking_functions()
    forgetting = [
        f"line {node.lineno}: {node.func.value.id}.{node.func.attr}"
        for node in ast.walk(ast.parse((UI / view).read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and (node.func.value.id, node.func.attr) in speaking
        and not any(keyword.arg == "t" for keyword in node.keywords)
        and len(node.args) <= _position_of_t(node.func.value.id, node.func.attr)
    ]
    assert forgetting == []


def _position_of_t(module: str, function: str) -> int:
    """Where `t` sits among `function`'s positional parameters (a large number if keyword-only)."""
    for node in ast.walk(ast.parse((ROOT / "softmax" / f"{module}.py").read_text())):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            names = [a.arg for a in node.args.args]
            return names.index("t") if "t" in names else 10**6
    return 10**6
