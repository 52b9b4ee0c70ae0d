"""`sitegen new`: correctly named, valid starting files for a page or a department."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .config import ColumnSpec, DepartmentSpec, XxgkSpec, YamlError, load_departments, load_site, parse_yaml, validate
from .errors import Problem, SitegenError
from .model import china_now
from .urls import OWNER_RE, PORTAL, RESERVED

DEFAULT_COLUMNS = (
    ("gzdt", "工作动态", "news", None),
    ("tzgg", "通知公告", "notice", None),
    ("zcwj", "政策文件", "policy", "法规文件"),
    ("zcjd", "政策解读", "interpretation", None),
    ("jgzn", "机构职能", "page", "机构职能"),
)


class ScaffoldError(SitegenError):
    pass


def new_page(root: Path, department: str, column: str, title: str, now: datetime, slug: str | None = None,
             topic: str | None = None, genre: str | None = None) -> Path:
    """Write content/<department>/<column>/<slug>.md with the fields its column asks for.

    A page of a disclosure column needs its 主题分类 and 体裁分类 (from site.yaml's lists);
    its 索引号 comes from `sitegen disclosure assign`.
    """
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
    kind, category = columns[column][1], columns[column][2]
    lines = ["---", f"title: {_quoted(title)}", f"date: {now:%Y-%m-%d %H:%M}", "summary: \"\"",
             "keywords: []" if category is None else f"keywords: [{_quoted(title[:20])}]   # 主题词，可写多个"]
    if category is not None:
        xxgk = disclosure_rules(root)
        for name, value, allowed in (("topic", topic, xxgk.topics.values()), ("genre", genre, xxgk.genres)):
            if value not in allowed:
                raise ScaffoldError(f"a page of {column} ({category}) needs --{name}, one of: " + "、".join(allowed))
        lines += ["disclosure:", f"  topic: {topic}        # 主题分类", f"  genre: {genre}        # 体裁分类",
                  "  doc_number: \"\"        # 文号，如 临经信发〔2026〕1号；没有文号就删去这一行",
                  f"  written: {now:%Y-%m-%d}     # 成文日期", "  validity: 有效        # 有效 | 失效 | 废止"]
    if kind == "interpretation":
        lines += ["# interprets: ../zcwj/<policy>.md   # 所解读的政策文件（相对路径）"]
    lines += ["---", "", "<!-- 正文写在下面。用 ## 写小标题；链接其他页面时写它的相对路径，如 [文件](../zcwj/某文件.md)。 -->",
              "", "正文。", ""]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def disclosure_rules(root: Path) -> XxgkSpec:
    site, problems = load_site(root)
    if site is None:
        raise ScaffoldError("\n".join(str(p) for p in problems))
    return site.xxgk


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
    columns = "\n".join(f"  - {{slug: {s}, title: {t}, kind: {k}{f', disclosure: {d}' if d else ''}}}"
                        for s, t, k, d in DEFAULT_COLUMNS)
    text = (f"name: {_quoted(name)}\nshort_name: {_quoted(short_name)}\ncode: {code}   # 统一社会信用代码\n"
            "order: 100\naccent: blue      # blue | teal | green | indigo | red | brown\n"
            "contact:\n  address: 请填写办公地址\n  phone: 请填写咨询电话\n  hours: 工作日 8:30-12:00 14:00-17:30\n"
            f"columns:\n{columns}\n")
    # Refuse to write what the build would reject, with the same messages.
    try:
        data, lines = parse_yaml(text)
    except YamlError as e:      # a control character or YAML syntax typed into --name or --code
        raise ScaffoldError(str(Problem(yaml_path.relative_to(root).as_posix(), e.line, "(yaml)", e.expected,
                                        e.found))) from None
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
    today = china_now().strftime("%Y-%m-%d %H:%M")
    for page, text in ((GUIDE, _GUIDE_TEXT), (RULES, _RULES_TEXT)):
        path = root / "content" / slug / "xxgk" / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, date=today), encoding="utf-8")
        made.append(path)
    return made


GUIDE, RULES = "zn.md", "zd.md"
# First drafts the department edits: every department must publish both (the build checks).
_GUIDE_TEXT = """---
title: {name}政府信息公开指南
date: {date}
summary: 本机关主动公开的内容、方式和时限，依申请公开的受理机构、程序与时限，以及监督和救济途径。
---
为便于公民、法人和其他组织获取{name}的政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。

## 一、主动公开

（一）公开内容。本机关依照条例第二十条、第二十一条，在“法定主动公开内容”中公开机构职能、法规文件、规划计划、统计信息等政府信息。

（二）公开方式。以本网站为第一公开平台，并通过政务新媒体等渠道同步发布。

（三）公开时限。属于主动公开范围的政府信息，自形成或者变更之日起 20 个工作日内予以公开。

## 二、依申请公开

申请方式、受理机构和办理时限见“依申请公开”栏目。

## 三、监督和救济

公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以依法投诉、举报，申请行政复议或者提起行政诉讼。
"""
_RULES_TEXT = """---
title: {name}政府信息公开工作制度
date: {date}
summary: 本机关政府信息公开的职责分工、发布审查、依申请办理和考核监督制度。
---
**第一条**　为规范本机关政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本制度。

**第二条**　本机关办公室是政府信息公开工作机构，负责组织、协调和监督本机关政府信息公开工作。

**第三条**　拟公开的政府信息，由起草处室提出公开属性，经保密审查后按程序发布。

**第四条**　依申请公开由政府信息公开工作机构统一受理、登记和答复。

**第五条**　政府信息公开工作纳入本机关年度考核。
"""


def _columns_of(root: Path, owner: str) -> dict[str, tuple[str, str, str | None]]:
    specs: tuple[ColumnSpec, ...] | None
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
    # JSON's string escapes are YAML's: a line break stays a "\n" for the check to refuse, not a folded space.
    return json.dumps(text, ensure_ascii=False)

