"""The shape of the code: imports point one way, and each library stays in its own module."""

from __future__ import annotations

import ast
from pathlib import Path

import sitegen

PACKAGE = Path(sitegen.__file__).parent

# Lowest first: a module imports only from layers below its own (and its own package's modules).
LAYERS = (
    {"pool"},
    {"errors", "urls", "cache", "preview", "letters"},
    {"files"},
    {"config"},
    {"model", "content", "rights", "prose"},
    {"markup", "ledger", "disclosure", "acceptance"},
    {"guides"},
    {"assemble", "views", "theme"},
    {"load"},
    {"plan"},
    {"render", "output", "search", "check"},
    {"glance"},
    {"build", "scaffold"},
    {"serve"},
    {"watch"},
    {"cli"},
    {"__main__"},
)
# What answers citizens at run time imports no build-time code: no model, no theme loading per request.
RUN_TIME = {"preview", "search.service", "search.query", "search.wsgi",
            "letters", "letters.app", "letters.pages", "letters.store", "letters.security", "letters.mask",
            "letters.workdays", "letters.publish"}
BUILD_TIME = {"build", "assemble", "plan", "render", "output", "content", "config", "model", "views", "markup", "prose",
              "disclosure", "guides", "ledger", "cache", "scaffold", "serve", "files", "rights", "acceptance", "load", "glance", "pool",
              "check", "watch"}
# Each third-party library lives in the modules that exist to wrap it.
LIBRARIES = {
    "yaml": {"config"},
    "pydantic": {"config", "content", "acceptance", "rights"}, "pydantic_core": {"config"},
    "markdown": {"markup", "prose"},     # prose: python-markdown's own slugs and contents nesting
    "nh3": {"markup"},
    "jinja2": {"theme", "render", "search", "check", "letters"},     # check: its HTML scorecard; letters: its pages
    "whoosh": {"search"},
    "rjieba": {"search"}, "opencc": {"search"}, "pypinyin": {"search"},
    "livereload": {"serve"}, "tornado": {"serve"}, "watchfiles": {"serve", "watch"},
    "click": {"cli"}, "waitress": {"cli", "search", "letters"},
    "chinese_calendar": {"disclosure", "letters"},
    "sqlite3": {"cache", "letters"},
    "psycopg": {"letters", "search"}, "argon2": {"letters"},
}


def modules() -> dict[str, tuple[set[str], set[str]]]:
    """module (relative to sitegen) -> (sitegen modules it imports, top-level libraries it imports)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if parts[-1] == "__init__" else ".".join(parts[:-1])
        internal, external = set(), set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
                internal |= {target} if node.module else {f"{target}.{a.name}".strip(".") for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                external.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                external |= {a.name.split(".")[0] for a in node.names}
        found[name] = ({i for i in internal if i}, external - {"sitegen"})
    return found


def layer(name: str) -> int:
    top = name.split(".")[0]
    return next(n for n, group in enumerate(LAYERS) if top in group or name in group)


def test_every_module_has_a_one_line_docstring():
    for path in PACKAGE.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and doc.splitlines()[0].strip(), f"{path.relative_to(PACKAGE)} has no docstring"


def test_imports_point_down_the_layers():
    wrong = []
    for name, (internal, _) in modules().items():
        if not name or name in RUN_TIME:
            continue
        for target in internal:
            if target.split(".")[0] == name.split(".")[0]:
                continue        # inside one package
            if layer(target) >= layer(name):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_run_time_code_imports_no_build_time_code():
    wrong = [f"{name} imports {target}" for name, (internal, _) in modules().items() if name in RUN_TIME
             for target in internal if target.split(".")[0] in BUILD_TIME]
    assert wrong == []


def test_each_library_stays_in_its_own_modules():
    wrong = [f"{name} imports {library}" for name, (_, external) in modules().items()
             for library in external if library in LIBRARIES and name.split(".")[0] not in LIBRARIES[library]]
    assert wrong == []
