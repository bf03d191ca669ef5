"""The house rules the code's layout depends on, checked on the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "softmax" / "ui"
PAGES = re.findall(r'view\("(\w+)"\)', (ROOT / "app.py").read_text())


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
