"""The import contract: cli → batch → run → stages → models, config, errors, and no stage imports
another stage. Read from the source with ast, so lazy imports inside functions count too."""
import ast
import shutil
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "pipeline"

# Higher imports lower, never the other way. Stages share only the helpers of level 1 and the base of
# level 0; within those two levels modules may import each other.
STAGES = [
    "speech.audio", "speech.vad", "speech.transcribe", "speech.diarize", "speech.roles", "speech.turns",
    "speech.conversation", "speech.transcript", "voice.prosody", "voice.tone",
    "behaviours.cues", "behaviours.acknowledge", "behaviours.checks", "behaviours.conduct", "reports.score",
]
HELPERS = ["speech.speakers", "speech.embedded", "speech.vocabulary", "behaviours.lexicon", "behaviours.text", "behaviours.sentences", "behaviours.judge", "reports.measures", "reports.scorecard",
           "reports.redact"]
LEVELS = {
    "cli": 6,
    "batch": 5, "evaluate.calls": 5, "reports.tables": 5, "reports.export": 5, "reports.page": 5, "reports.rescore": 5,
    "reports.terminal": 5, "reports.review": 4.5,
    "run": 4, "evaluate.events": 4,
    "bundle": 3, "results": 3, "manifest": 3, "reports.store": 3,
    **{name: 2 for name in STAGES},
    **{name: 1 for name in HELPERS},
    "models": 0, "config": 0, "errors": 0,
}
SHARED_LEVELS = {0, 1}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path) -> set[str]:
    """Modules of the package that `path` imports, as names relative to the package."""
    name = module_name(path, root)
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == root.name:
                base = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:  # `from . import x` names a module; `from .x import y` names x
                candidate = ".".join(base + [alias.name])
                found.add(candidate if (root / Path(*candidate.split("."))).with_suffix(".py").exists() else ".".join(base))
        elif isinstance(node, ast.Import):
            found |= {".".join(a.name.split(".")[1:]) for a in node.names if a.name.split(".")[0] == root.name}
    return {m for m in found if m and m != name}


def violations(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        if path.name == "__init__.py" and not path.read_text().strip():
            continue
        if name not in LEVELS and path.name != "__init__.py":
            problems.append(f"{name}: not placed in the import contract (add it to LEVELS)")
            continue
        level = LEVELS.get(name, max(LEVELS.values()))
        for target in sorted(imported_modules(path, root)):
            if target not in LEVELS:
                continue  # a package's __init__
            other = LEVELS[target]
            if other > level or (other == level and level not in SHARED_LEVELS):
                kind = "a stage imports another stage" if level == other == 2 else "imports upward"
                problems.append(f"{name} → {target}: {kind}")
    return problems


def test_the_package_keeps_its_layers():
    assert violations(PACKAGE) == []


def test_the_contract_catches_a_stage_that_imports_another_stage(tmp_path):
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.yaml"))
    tone = copy / "voice" / "tone.py"
    tone.write_text(tone.read_text() + "\n\ndef _reach_back():\n    from ..speech.roles import assign_roles\n")
    (copy / "models.py").write_text((copy / "models.py").read_text() + "\nfrom .run import analyse_call\n")
    assert violations(copy) == ["models → run: imports upward", "voice.tone → speech.roles: a stage imports another stage"]
