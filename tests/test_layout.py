"""The suite's own layout: the oracle stays independent, and nothing patches the import path."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
ORACLE = sorted((TESTS / "oracle").glob("*.py"))
# what each oracle module may import of the others (today's dependencies, no more)
ORACLE_DEPENDENCIES = {"__init__": set(), "lifetimes": set(), "invocations": {"lifetimes"},
                       "streams": {"invocations"},
                       "queues": {"invocations", "streams"}, "metrics": {"invocations"},
                       "erlang": set(), "changes": set()}


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """(module, relative level) of every import statement in `path`, nested ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


def test_every_oracle_module_is_known() -> None:
    assert {p.stem for p in ORACLE} == set(ORACLE_DEPENDENCIES)


@pytest.mark.parametrize("path", ORACLE, ids=lambda p: p.stem)
def test_the_oracle_imports_only_the_standard_library_and_itself(path: Path) -> None:
    siblings = set()
    for module, level in imported_modules(path):
        if level:
            assert level == 1, (path.name, module)
            siblings.add(module.split(".")[0])
        elif module.startswith("tests.oracle."):
            siblings.add(module.split(".")[2])
        else:
            top = module.split(".")[0]
            assert top == "__future__" or top in sys.stdlib_module_names, (path.name, module)
    assert siblings <= ORACLE_DEPENDENCIES[path.stem], (path.name, siblings)


SOURCES = sorted([*TESTS.rglob("*.py"), *(ROOT / "benches").rglob("*.py")])


def test_no_file_patches_the_import_path() -> None:
    assert len(SOURCES) > 40  # the glob found the suite
    uses = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in SOURCES
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.Attribute) and node.attr == "path"
            and isinstance(node.value, ast.Name) and node.value.id == "sys"]
    assert uses == []
