"""`sitegen new`: correctly named, valid starting files for a page or a department."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .config import DepartmentSpec, load_departments, load_site, parse_yaml, validate
from .errors import SitegenError
from .urls import OWNER_RE, PORTAL, RESERVED

DEFAULT_COLUMNS = (
    ("gzdt", "工作动态", "news", False),
    ("tzgg", "通知公告", "notice", False),
    ("zcwj", "政策文件", "policy", True),
    ("zcjd", "政策解读", "interpretation", False),
    ("jgzn", "机构职能", "page", False),
)


class ScaffoldError(SitegenError):
    pass


def new_page(root: Path, department: str, column: str, title: str, now: datetime, slug: str | None = None) -> Path:
    """Write content/<department>/<column>/<slug>.md with the fields its column asks for."""
    columns = _columns_of(root, department)
    if column not in columns:
        raise ScaffoldError(f"{department} has no column '{column}'; its columns are: "
                            + ", ".join(f"{k} ({v[0]})" for k, v in columns.items()))
    title = title.strip()
    if not title or len(title) > 200 or "\n" in title:
        raise ScaffoldError("the title must be one line of 1 to 200 characters")
    folder = root / "content" / department / column
    slug = slug or _free_slug(folder, now)
    path = folder / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root)} already exists")
    kind, disclosure = columns[column][1], columns[column][2]
    lines = ["---", f"title: {_quoted(title)}", f"date: {now:%Y-%m-%d %H:%M}", "summary: \"\"", "keywords: []"]
    if disclosure or kind == "policy":
        lines += ["disclosure:", "  doc_number: \"\"        # 文号，如 临经信发〔2026〕1号",
                  f"  written: {now:%Y-%m-%d}     # 成文日期", "  topic: \"\"             # 主题分类",
                  "  genre: \"\"             # 体裁分类，如 通知", "  validity: 有效        # 有效 | 失效 | 废止"]
    if kind == "interpretation":
        lines += ["# interprets: ../zcwj/<policy>.md   # 所解读的政策文件（相对路径）"]
    lines += ["---", "", "<!-- 正文写在下面。用 ## 写小标题；链接其他页面时写它的相对路径，如 [文件](../zcwj/某文件.md)。 -->",
              "", "正文。", ""]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def new_department(root: Path, slug: str, name: str, short_name: str, code: str) -> list[Path]:
    """Write departments/<slug>.yaml and one content folder per declared column."""
    if not OWNER_RE.match(slug) or slug in RESERVED:
        raise ScaffoldError(f"'{slug}' is not a usable department slug: use 2-31 lowercase letters, digits or '-', "
                            f"not one of {', '.join(sorted(RESERVED))}")
    yaml_path = root / "departments" / f"{slug}.yaml"
    if yaml_path.exists():
        raise ScaffoldError(f"{yaml_path.relative_to(root)} already exists")
    site, _ = load_site(root)
    if site is not None and any(c.slug == slug for c in site.columns):
        raise ScaffoldError(f"'{slug}' is already a portal column in site.yaml")
    columns = "\n".join(f"  - {{slug: {s}, title: {t}, kind: {k}{', disclosure: true' if d else ''}}}"
                        for s, t, k, d in DEFAULT_COLUMNS)
    text = (f"name: {_quoted(name)}\nshort_name: {_quoted(short_name)}\ncode: {code}   # 统一社会信用代码\n"
            "order: 100\naccent: blue      # blue | teal | green | indigo | red | brown\n"
            "contact:\n  address: 请填写办公地址\n  phone: 请填写咨询电话\n  hours: 工作日 8:30-12:00 14:00-17:30\n"
            f"columns:\n{columns}\n")
    # Refuse to write what the build would reject, with the same messages.
    data, lines = parse_yaml(text)
    _, problems = validate(DepartmentSpec, data, yaml_path.relative_to(root).as_posix(), lines)
    if problems:
        raise ScaffoldError("\n".join(str(p) for p in problems))
    yaml_path.parent.mkdir(parents=True, exist_ok=True)
    yaml_path.write_text(text, encoding="utf-8")
    made = [yaml_path]
    for s, *_ in DEFAULT_COLUMNS:
        keep = root / "content" / slug / s / ".gitkeep"
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.touch()
        made.append(keep.parent)
    return made


def _columns_of(root: Path, owner: str) -> dict[str, tuple[str, str, bool]]:
    if owner == PORTAL:
        site, problems = load_site(root)
        specs = site.columns if site else None
    else:
        departments, _, problems = load_departments(root)
        specs = departments[owner].columns if owner in departments else None
    if specs is None:
        mine = [p for p in problems if f"/{owner}." in p.file or p.file == "site.yaml"]
        if mine:
            raise ScaffoldError("\n".join(str(p) for p in mine))
        raise ScaffoldError(f"no department '{owner}': there is no departments/{owner}.yaml")
    return {c.slug: (c.title, c.kind, c.disclosure) for c in specs}


def _free_slug(folder: Path, now: datetime) -> str:
    base = f"{now:%Y-%m%d}"
    n = 1
    while (folder / f"{base}-{n}.md").exists():
        n += 1
    return f"{base}-{n}"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

