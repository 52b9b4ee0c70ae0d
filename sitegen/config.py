"""Site and department models: YAML with line numbers, validated with pydantic."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, shown
from .urls import OWNER_RE, RESERVED, SLUG_RE

MAX_YAML_BYTES = 256 * 1024
Kind = Literal["news", "notice", "policy", "interpretation", "personnel", "plan", "page"]
Accent = Literal["blue", "teal", "green", "indigo", "red", "brown"]

# ---------------------------------------------------------------- YAML with line numbers

Lines = dict[tuple, int]


# libyaml's parser when it is there (several times faster), with the same safe constructor.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """Safe YAML where dates stay text: sitegen parses them itself, with clear messages."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlError(ValueError):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, Lines]:
    """Parse YAML; return the data and the line of every key path (1-based, file lines)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + first_line if mark else None
        raise YamlError(line, (e.problem or str(e)).strip()) from None
    except yaml.YAMLError as e:
        raise YamlError(None, str(e).strip()) from None
    finally:
        loader.dispose()
    lines: Lines = {}
    _walk(node, (), lines, first_line)
    return data, lines


def _walk(node: yaml.Node, path: tuple, lines: Lines, first_line: int) -> None:
    lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            _walk(value, sub, lines, first_line)
            lines[sub] = key.start_mark.line + first_line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, first_line)


def line_of(lines: Lines, loc: tuple) -> int | None:
    """The line of a key path, or of its nearest parent that has one."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


# ---------------------------------------------------------------- validation messages

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, file: str, lines: Lines) -> tuple[M | None, list[Problem]]:
    """Validate data against a model; turn every error into a Problem that names its line."""
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        errors = e.errors()
        # A list whose items failed also reports itself too short; the items say it better.
        deeper = {err["loc"][:n] for err in errors for n in range(len(err["loc"]))}
        errors = [err for err in errors if not (err["type"] == "too_short" and err["loc"] in deeper)]
        return None, [_problem(model, err, file, lines) for err in errors]


def _problem(model: type[BaseModel], err: dict, file: str, lines: Lines) -> Problem:
    loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    field = ".".join(str(x) for x in loc) or "(top level)"
    line = line_of(lines, loc)
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
        hint = f"'{close[0]}'" if close else "one of " + ", ".join(known)
        return Problem(file, line, field, f"a known field ({hint})", f"the unknown field {shown(loc[-1])}")
    expected = _EXPECTED.get(kind)
    if kind == "missing":
        return Problem(file, line, field, "a value (this field is required)", "nothing")
    if kind == "value_error":
        expected = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    elif kind == "literal_error":
        expected = "one of " + str(ctx.get("expected", "")).replace("'", "")
    elif kind in ("string_too_long", "too_long"):
        expected = f"at most {ctx.get('max_length')} {'characters' if kind == 'string_too_long' else 'items'}"
    elif kind in ("string_too_short", "too_short"):
        expected = "a non-empty value" if kind == "string_too_short" else f"at least {ctx.get('min_length')} items"
    elif kind in ("greater_than_equal", "less_than_equal"):
        expected = f"a number {'at least ' + str(ctx.get('ge')) if 'ge' in ctx else 'at most ' + str(ctx.get('le'))}"
    found = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else shown(value)
    return Problem(file, line, field, expected or err["msg"].lower(), found)


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": "a date YYYY-MM-DD",
}


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names valid at a location, following nested models."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- field types


def _text(limit: int):
    return Annotated[str, Field(min_length=1, max_length=limit)]


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError("a slug of lowercase letters, digits and '-' (such as gzdt)")
    return value


Slug = Annotated[str, AfterValidator(_slug)]

_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check(first17: str) -> str:
    """The GB 32100-2015 check character of a 统一社会信用代码."""
    total = sum(_USCC.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC[(31 - total % 31) % 31]


def _uscc(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 18 or any(c not in _USCC for c in value):
        raise ValueError("an 18-character 统一社会信用代码 (digits and capitals except I, O, S, V, Z)")
    if uscc_check(value[:17]) != value[17]:
        raise ValueError(f"a valid check character (the last character should be {uscc_check(value[:17])})")
    return value


def _site_id(value: str) -> str:
    if not re.fullmatch(r"\d{10}", value):
        raise ValueError("a 10-digit 网站标识码 (quote it in YAML: \"3302000001\")")
    return value


def _base_url(value: str) -> str:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?/?", value):
        raise ValueError("the site's address, such as https://www.example.gov.cn")
    return value.rstrip("/")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


class Contact(Strict):
    address: _text(200)
    phone: _text(60)
    postcode: _text(10) | None = None
    email: _text(120) | None = None
    hours: _text(120) | None = None


def _category_name(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("the name of the 法定主动公开内容 category its pages belong to, such as 法规文件 "
                         "(a column no longer says just true)")
    return value


class ColumnSpec(Strict):
    slug: Slug
    title: _text(20)
    kind: Kind
    # The column's pages are 政府信息公开 items of this category (a name from site.yaml's xxgk categories).
    disclosure: Annotated[_text(30), BeforeValidator(_category_name)] | None = None


class PortalColumnSpec(ColumnSpec):
    # A portal column may also list every department item of these kinds.
    aggregate: tuple[Kind, ...] = ()


def _unique_slugs(columns: tuple[ColumnSpec, ...]) -> tuple[ColumnSpec, ...]:
    seen: set[str] = set()
    for c in columns:
        if c.slug == "xxgk":
            raise ValueError("column slugs other than 'xxgk' (every department's 政府信息公开 section lives there)")
        if c.slug in seen:
            raise ValueError(f"each column slug once ('{c.slug}' is declared twice)")
        seen.add(c.slug)
    return columns


HotWords = Annotated[tuple[_text(20), ...], Field(max_length=12)]


class DepartmentSearchSpec(Strict):
    """A department's own hot words, shown on its sub-site instead of site.yaml's."""

    hot_words: HotWords


class DepartmentSpec(Strict):
    name: _text(40)
    short_name: _text(16)
    code: Annotated[str, AfterValidator(_uscc)]
    order: int = 100
    accent: Accent = "blue"
    banner: _text(80) | None = None
    intro: _text(600) | None = None
    contact: Contact
    columns: Annotated[tuple[ColumnSpec, ...], Field(min_length=1, max_length=40), AfterValidator(_unique_slugs)]
    search: DepartmentSearchSpec | None = None


class GovMark(Strict):
    """The 党政机关网站标识: the issuing body's link and the image it hands out."""

    link: Annotated[str, Field(pattern=r"^https?://")]
    image: _text(200)


# 《政府信息公开条例》 Article 20: what every body must publish of its own accord.
ARTICLE_20 = {
    "jgzn": "机构职能", "fgwj": "法规文件", "ghjh": "规划计划", "tjxx": "统计信息", "xzxk": "行政许可",
    "xzcf": "行政处罚", "czyjs": "财政预决算", "xzsyxsf": "行政事业性收费", "zfcg": "政府采购",
    "zdjsxm": "重大建设项目", "mszc": "民生政策", "tfggsj": "突发公共事件", "jdjc": "监督检查",
    "gwykz": "公务员招考",
}
# 主题分类 as the State Council's document subject classification names its top level.
TOPICS = {
    "zhzw": "综合政务", "gmjj": "国民经济管理、国有资产监管", "czjr": "财政、金融、审计",
    "gtny": "国土资源、能源", "nlsl": "农业、林业、水利", "gyjt": "工业、交通", "xxcy": "信息产业（含电信）",
    "cxjs": "城乡建设、环境保护", "kjjy": "科技、教育", "whly": "文化、广电、新闻出版", "wsty": "卫生、体育",
    "rkfn": "人口与计划生育、妇女儿童工作", "ldrs": "劳动、人事、监察", "gaaq": "公安、安全、司法",
    "mzfp": "民政、扶贫、救灾", "mzzj": "民族、宗教", "dwsw": "对外事务", "gatq": "港澳台侨工作",
    "gf": "国防", "scjg": "市场监管、安全生产监管", "lyfw": "旅游、服务业", "qxsw": "气象、水文、测绘、地震",
    "qt": "其他",
}
GENRES = ("决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "批复", "函", "纪要",
          "规划", "计划", "方案", "办法", "规定", "细则", "公示", "统计数据", "工作总结", "其他")
INDEX_FIELDS = ("code", "org_code", "dept", "year", "serial")


def _named(value: dict[str, str]) -> dict[str, str]:
    for slug, name in value.items():
        _slug(slug)
    names = list(value.values())
    if len(set(names)) != len(names):
        raise ValueError("each name once")
    return value


Named = Annotated[dict[Slug, _text(30)], Field(min_length=1, max_length=100), AfterValidator(_named)]


def _index_pattern(value: str) -> str:
    import string
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        value.format(code="X" * 18, org_code="X" * 9, dept="x", year=2024, serial=1)
    except (ValueError, KeyError, IndexError) as e:
        raise ValueError(f"a pattern with fields among {{{'}, {'.join(INDEX_FIELDS)}}}, such as "
                         f"{{code}}/{{year}}-{{serial:05d}} ({e})") from None
    if "serial" not in {f.split(":")[0] for f in fields}:
        raise ValueError("a pattern that contains {serial}, such as {code}/{year}-{serial:05d}")
    return value


class Sections(Strict):
    """The five parts of every department's 政府信息公开 section: named once, for every department."""

    zn: _text(20) = "政府信息公开指南"
    zd: _text(20) = "政府信息公开制度"
    fdzdgknr: _text(20) = "法定主动公开内容"
    nb: _text(20) = "政府信息公开年报"
    ysqgk: _text(20) = "依申请公开"


class XxgkSpec(Strict):
    """The 政府信息公开 rules the platform admin sets once for the whole cluster."""

    index_pattern: Annotated[_text(80), AfterValidator(_index_pattern)] = "{code}/{year}-{serial:05d}"
    sections: Sections = Sections()
    categories: Named = ARTICLE_20
    extra_categories: Annotated[dict[Slug, _text(30)], Field(max_length=50)] = {}
    topics: Named = TOPICS
    genres: Annotated[tuple[_text(20), ...], Field(min_length=1, max_length=100)] = GENRES
    deadline_days: Annotated[int, Field(ge=1, le=365)] = 20   # working days, 条例 Article 26

    @model_validator(mode="after")
    def _one_list(self) -> "XxgkSpec":
        # Category slugs are addresses under /<dept>/xxgk/fdzdgknr/, beside the catalog's own pages.
        for slug, name in self.extra_categories.items():
            if slug in ("cwrq", "page"):
                raise ValueError(f"extra category slugs other than cwrq and page (the catalog's own pages), "
                                 f"not '{slug}'")
            if slug in self.categories or name in self.categories.values():
                raise ValueError(f"extra categories that are not already categories ('{slug}: {name}' is)")
        return self

    def all_categories(self) -> dict[str, str]:
        return {**self.categories, **self.extra_categories}


class SearchSpec(Strict):
    """What the admin tunes in the cluster search: synonym groups, the hot words under the box
    (a department's YAML may set its own), and the backend that holds the index."""

    synonyms: Annotated[tuple[Annotated[tuple[_text(20), ...], Field(min_length=2, max_length=20)], ...],
                        Field(max_length=2000)] = ()
    hot_words: HotWords = ()
    # whoosh: files beside the web root. postgres: a PostgreSQL database, whose connection string
    # is read from the environment variable SITEGEN_SEARCH_DSN, never from the repository.
    backend: Literal["whoosh", "postgres"] = "whoosh"


class SiteSpec(Strict):
    name: _text(40)
    base_url: Annotated[str, AfterValidator(_base_url)]
    description: _text(300)
    site_id_code: Annotated[str, AfterValidator(_site_id)]
    icp: _text(40)
    police_record: _text(40)
    sponsor: _text(60)
    organizer: _text(60)
    contact: Contact
    theme: Slug = "default"
    page_size: Annotated[int, Field(ge=1, le=200)] = 20
    contact_page: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")] | None = None
    gov_mark: GovMark | None = None
    columns: Annotated[tuple[PortalColumnSpec, ...], AfterValidator(_unique_slugs)] = ()
    xxgk: XxgkSpec = XxgkSpec()
    search: SearchSpec = SearchSpec()


# ---------------------------------------------------------------- loading files


def read_text(path: Path, rel: str, limit: int) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file within a size bound; a problem, not an exception, when it is not."""
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [Problem(rel, None, "(file)", f"at most {limit // 1024} KiB", f"{size // 1024} KiB")]
        raw = path.read_bytes()
    except OSError as e:
        return None, [Problem(rel, None, "(file)", "a readable file", e.strerror or str(e))]
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - raw.rfind(b"\n", 0, e.start)
        return None, [Problem(rel, line, "(file)", "text encoded as UTF-8 (save the file as UTF-8)",
                              f"the byte 0x{raw[e.start]:02x} at byte {column} of the line")]


def load_yaml_file(path: Path, rel: str) -> tuple[Any, Lines, list[Problem]]:
    text, problems = read_text(path, rel, MAX_YAML_BYTES)
    if text is None:
        return None, {}, problems
    try:
        data, lines = parse_yaml(text)
    except YamlError as e:
        return None, {}, [Problem(rel, e.line, "(yaml)", "valid YAML", f"a syntax error: {e.message}")]
    return data, lines, []


def load_site(root: Path) -> tuple[SiteSpec | None, list[Problem]]:
    path = root / "site.yaml"
    if not path.is_file():
        return None, [Problem("site.yaml", None, "(file)", "a site.yaml at the root of the site", "no such file")]
    data, lines, problems = load_yaml_file(path, "site.yaml")
    if problems:
        return None, problems
    return validate(SiteSpec, data, "site.yaml", lines)


def load_departments(root: Path) -> tuple[dict[str, DepartmentSpec], dict[str, str], list[Problem]]:
    """Every departments/<slug>.yaml: the valid specs by slug, their files, and the problems."""
    specs: dict[str, DepartmentSpec] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    folder = root / "departments"
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            problems.append(Problem(rel, None, "(file)", "only <department>.yaml files in departments/", f"{shown(path.name)}"))
            continue
        slug = path.stem
        if not OWNER_RE.match(slug) or slug in RESERVED:
            why = "a reserved name" if slug in RESERVED else shown(slug)
            problems.append(Problem(rel, None, "(file name)",
                                    "a department slug of 2-31 lowercase letters, digits or '-', not "
                                    + ", ".join(sorted(RESERVED)), why))
            continue
        data, lines, found = load_yaml_file(path, rel)
        spec = None
        if not found:
            spec, found = validate(DepartmentSpec, data, rel, lines)
        problems += found
        if spec is not None:
            specs[slug], files[slug] = spec, rel
    return specs, files, problems

