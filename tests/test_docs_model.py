"""The repository is self-contained: every section of the behavioural model that the code, the
tests or the docs cite (``§n`` or ``§n.m``) has a heading in ``docs/model.md``, and no tracked
file sends a reader to a specification or data outside the repository.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest


def _root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise AssertionError(f"no pyproject.toml above {__file__}")


ROOT = _root()
MODEL = ROOT / "docs" / "model.md"
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

#: A citation: §n, §n.m, or a range §a–b (each of a..b is cited).
CITATION = re.compile(r"§(\d+)(?:\.(\d+))?(?:\s*[–-]\s*§?(\d+)\b)?")
#: A heading of docs/model.md that defines a section: "## §3 …" or "### §3.2 …".
HEADING = re.compile(r"^#{2,4} §(\d+(?:\.\d+)?)\s", re.MULTILINE)
#: Pointers out of the repository.
OUTSIDE = re.compile(r"MODEL\.md|\.\./shared|/work/")

#: Files whose mentions of the external specification are history, not pointers.
HISTORY = {"CHANGELOG.md"}


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "target", "build", "dist", ".venv", "__pycache__", ".pytest_cache"}
        files = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)
        ]
    assert files, "no files found in the repository"
    return sorted(f for f in files if (ROOT / f).is_file())


def _text(path: str) -> str | None:
    data = (ROOT / path).read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts() -> dict[str, str]:
    texts = {f: _text(f) for f in _tracked_files() if f != THIS}
    return {f: t for f, t in texts.items() if t is not None}


def cited_sections(text: str) -> set[str]:
    cited: set[str] = set()
    for m in CITATION.finditer(text):
        first, sub, last = m.group(1), m.group(2), m.group(3)
        if sub is not None:
            cited.add(f"{first}.{sub}")
        else:
            cited.add(first)
        if last is not None and sub is None:
            cited.update(str(n) for n in range(int(first), int(last) + 1))
    return cited


def model_sections() -> list[str]:
    return HEADING.findall(MODEL.read_text(encoding="utf-8"))


def test_citation_parser() -> None:
    assert cited_sections("(§7–8) §1/§3, §4 step 2, §2.1 and §10") == {
        "7", "8", "1", "3", "4", "2.1", "10"}
    assert cited_sections("§1-5 and §5.1") == {"1", "2", "3", "4", "5", "5.1"}


def test_model_headings_are_unique() -> None:
    sections = model_sections()
    assert sections, f"{MODEL} defines no § sections"
    assert len(sections) == len(set(sections)), sections


def test_every_cited_section_has_a_heading_in_docs_model() -> None:
    defined = set(model_sections())
    missing: dict[str, list[str]] = {}
    for path, text in _texts().items():
        for number, line in enumerate(text.splitlines(), 1):
            for section in cited_sections(line) - defined:
                missing.setdefault(f"§{section}", []).append(f"{path}:{number}")
    assert not missing, "sections cited but not in docs/model.md: " + "; ".join(
        f"{s} ({', '.join(where[:5])}{' …' if len(where) > 5 else ''})"
        for s, where in sorted(missing.items())
    )


def test_no_file_points_outside_the_repository() -> None:
    outside = []
    for path, text in _texts().items():
        if path in HISTORY:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                outside.append(f"{path}:{number}: {line.strip()}")
    assert not outside, "pointers outside the repository:\n" + "\n".join(outside)


@pytest.mark.parametrize("folder", ["aws-lambda-requests", "azure-functions-2021", "simfaas"])
def test_shipped_data_has_its_licence(folder: str) -> None:
    d = ROOT / "data" / folder
    assert d.is_dir(), f"{d} is missing"
    assert any(p.name.startswith("LICENSE") for p in d.iterdir()), f"{d} has no licence file"
    assert any(p.suffix == ".csv" for p in d.iterdir()), f"{d} has no data"
