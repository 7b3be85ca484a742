"""The engine crate's shape (docs/architecture.md): its layers depend one way only —
primitives → model → core → sources → engine — its modules form no cycle, no file is mounted
with `#[path]`, and no source file is longer than one sitting's read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "crates" / "engine" / "src"
LAYERS = ["primitives", "model", "core", "sources", "engine"]
# `crate::layer::module` or `crate::layer::{...}`; `use super::x` stays within a layer
USE = re.compile(r"crate::([a-z_]+)(?:::([a-z_]+))?")
MAX_LINES = 600


def _module(path: Path) -> str:
    """`core/pool.rs` -> `core::pool`; `core/mod.rs` -> `core`."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return "::".join(parts)


def _sources() -> dict[str, str]:
    files = {_module(p): p.read_text() for p in SRC.rglob("*.rs") if "bin" not in p.relative_to(SRC).parts}
    assert files, f"no Rust sources under {SRC}"
    return files


def _edges() -> dict[str, set[str]]:
    """Module -> the modules of the crate it names (a layer's `mod.rs` counts as the layer)."""
    files = _sources()
    edges: dict[str, set[str]] = {}
    for module, text in files.items():
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        targets = set()
        for layer, sub in USE.findall(code):
            target = f"{layer}::{sub}" if sub and f"{layer}::{sub}" in files else layer
            if target != module:
                targets.add(target)
        edges[module] = targets
    return edges


def test_the_crate_has_the_five_layers() -> None:
    assert sorted(d.name for d in SRC.iterdir() if d.is_dir() and d.name != "bin") == sorted(LAYERS)


def test_layers_depend_only_on_the_layers_below() -> None:
    wrong = []
    for module, targets in _edges().items():
        layer = module.split("::")[0]
        if layer == "lib":
            continue  # the façade re-exports from every layer
        for t in targets:
            if LAYERS.index(t.split("::")[0]) > LAYERS.index(layer):
                wrong.append(f"{module} -> {t}")
    assert not wrong, "upward dependencies: " + ", ".join(sorted(wrong))


def test_modules_form_no_cycle() -> None:
    edges = _edges()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                pytest.fail("module cycle: " + " -> ".join(cycle))
            if t in edges and t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_no_module_is_mounted_by_path_and_files_stay_short() -> None:
    for p in SRC.rglob("*.rs"):
        text = p.read_text()
        assert "#[path" not in text, p
        assert len(text.splitlines()) <= MAX_LINES, f"{p} has {len(text.splitlines())} lines"
