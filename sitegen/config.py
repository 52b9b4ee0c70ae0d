"""Site and department models: YAML with line numbers, validated with pydantic."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from .errors import Problem, shown
from .files import CONTROL, kind, read_bounded, scan
from .urls import BSFW, OWNER_RE, RESERVED, SLUG_RE, XXGK

MAX_YAML_BYTES = 256 * 1024
# Deeper than any site.yaml, department or front matter needs; deep enough nesting would
# exhaust the Python stack of whatever walks the data after.
MAX_YAML_DEPTH = 20
Kind = Literal["news", "notice", "policy", "interpretation", "personnel", "plan", "page", "consultation", "interview"]
Accent = Literal["blue", "teal", "green", "indigo", "red", "brown"]

# ---------------------------------------------------------------- YAML with line numbers

Lines = dict[tuple, int]


# libyaml's parser when it is there (several times faster), with the same safe constructor.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]  # the base is chosen at import: libyaml's if it is there
    """Safe YAML where dates stay text: sitegen parses them itself, with clear messages."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlError(ValueError):
    def __init__(self, line: int | None, message: str, expected: str = "valid YAML", found: str | None = None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.expected = expected
        self.found = found or f"a syntax error: {message}"


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, Lines]:
    """Parse YAML; return the data and the line of every key path (1-based, file lines).

    Aliases are refused before anything is built: a few hundred bytes of nested aliases
    ("billion laughs") expand to billions of values in every walk over the data.
    """
    flat = _flat(text, first_line)
    if flat is not None:
        return flat
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check(node, first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + first_line if mark else None
        raise YamlError(line, (e.problem or str(e)).strip()) from None
    except YamlError:
        raise
    except Exception as e:   # noqa: BLE001
        # What PyYAML's constructors raise on a tagged or huge scalar: int("9" * 5000) is a
        # ValueError, !!bool maybe a KeyError, !!float x a ValueError. Editor input, not a bug here.
        raise YamlError(None, (str(e) if not isinstance(e, KeyError) else f"an unknown value {e}").strip()) from None
    finally:
        loader.dispose()
    lines: Lines = {}
    _walk(node, (), lines, first_line)
    return data, lines


# Most front matter is flat: "key: words" lines, perhaps a [list, of, words]. PyYAML spends about
# 0.07 ms on each page's (a node tree built in C, walked by the checks, constructed in Python),
# 1.4 s of CPU at 20,000 pages; read here it takes about half that. Such text is read to the same
# data and lines, with PyYAML's own rules for what a word means (a bool, a number, null); anything
# else (nesting, quotes, comments, a number) goes to PyYAML. tests/test_yaml.py compares the two.
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_FLAT_LINE = re.compile(r"([a-z_]+): (.+)")
# Characters YAML reads as text in every context (no line breaks but \n, no controls, no BOM).
_PLAIN_TEXT = re.compile("[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
_BOOL = "tag:yaml.org,2002:bool"


def _flat(text: str, first_line: int) -> tuple[dict[str, Any], Lines] | None:
    """``text`` as PyYAML (_Loader) reads it, when it is flat; None when PyYAML must read it."""
    if not text or _PLAIN_TEXT.fullmatch(text) is None:
        return None
    data: dict[str, Any] = {}
    lines: Lines = {(): first_line}
    for n, row in enumerate(text.split("\n"), first_line):
        m = _FLAT_LINE.fullmatch(row)
        if m is None or not isinstance(_word(m.group(1)), str):     # a key "on" is True to YAML
            return None
        key, value = m.groups()
        if value.startswith("[") and value.endswith("]"):
            items = value[1:-1].split(",")
            words = [_word(item.strip(" "), flow=True) for item in items]
            if any(w is None for w in words):
                return None
            data[key] = words
            lines.update({(key, i): n for i in range(len(words))})
        else:
            word = _word(value)
            if word is None:
                return None
            data[key] = word
        lines[(key,)] = n
    return data, lines


def _word(value: str, flow: bool = False) -> str | bool | None:
    """A plain scalar as PyYAML constructs it, if it is text or a bool; None for anything else."""
    if (not value or value[0] in _INDICATORS or value[0] == " " or value[-1] in " :" or ": " in value
            or " #" in value or (flow and any(c in value for c in ",[]{}:#"))):
        return None
    for tag, pattern in _Loader.yaml_implicit_resolvers.get(value[0], ()):
        if pattern.match(value):
            return yaml.constructor.SafeConstructor.bool_values[value.lower()] if tag == _BOOL else None
    return value


def _check(root: yaml.Node, first_line: int) -> None:
    """Refuse aliases, nesting deeper than MAX_YAML_DEPTH and control characters, in document order."""
    seen: set[int] = set()
    stack = [(root, 1, root.start_mark.line)]
    while stack:
        node, depth, at = stack.pop()
        if id(node) in seen:
            raise YamlError(at + first_line, "alias", "YAML without aliases (*name): write the value out again",
                            f"an alias repeating the value of line {node.start_mark.line + first_line}")
        seen.add(id(node))
        if depth > MAX_YAML_DEPTH:
            raise YamlError(node.start_mark.line + first_line, "too deep",
                            f"YAML nested at most {MAX_YAML_DEPTH} levels deep", "deeper nesting")
        children: list[tuple[yaml.Node, int]] = []
        if isinstance(node, yaml.ScalarNode):
            bad = CONTROL.search(node.value)
            if bad:
                raise YamlError(node.start_mark.line + first_line, "control character", TEXT_ONLY,
                                f"the control character U+{ord(bad.group()):04X}")
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                children += [(key, key.start_mark.line), (value, key.start_mark.line)]
        elif isinstance(node, yaml.SequenceNode):
            previous = node.start_mark.line
            for item in node.value:
                children.append((item, previous))     # an alias is written after the item before it
                previous = item.end_mark.line
        stack.extend((child, depth + 1, line) for child, line in reversed(children))


TEXT_ONLY = "text without control characters (delete the invisible character: NUL, ESC and the like are not text)"


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


def _problem(model: type[BaseModel], err: ErrorDetails, file: str, lines: Lines) -> Problem:
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


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("text on one line (names, titles and codes have no line breaks)")
    return value


# TextN: text of at most N characters without line breaks (OrEmpty: may be empty); ParaN: may break lines.
# Spelled out, not made by a function, so that the type checker reads them as types.
Text10 = Annotated[str, Field(min_length=1, max_length=10), AfterValidator(_one_line)]
Text16 = Annotated[str, Field(min_length=1, max_length=16), AfterValidator(_one_line)]
Text20 = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_one_line)]
Text30 = Annotated[str, Field(min_length=1, max_length=30), AfterValidator(_one_line)]
Text40 = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_one_line)]
Text60 = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_one_line)]
Text80 = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_one_line)]
Text120 = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_one_line)]
Text200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]
Text300 = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_one_line)]
Text30OrEmpty = Annotated[str, Field(min_length=0, max_length=30), AfterValidator(_one_line)]
Text60OrEmpty = Annotated[str, Field(min_length=0, max_length=60), AfterValidator(_one_line)]
Text300OrEmpty = Annotated[str, Field(min_length=0, max_length=300), AfterValidator(_one_line)]
Para300 = Annotated[str, Field(min_length=1, max_length=300)]
Para600 = Annotated[str, Field(min_length=1, max_length=600)]


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
    # Local sites get 10 digits; central bodies' sites get "bm" and 8 digits (发展指引 附件).
    if not re.fullmatch(r"\d{10}|bm\d{8}", value):
        raise ValueError("a 网站标识码 of 10 digits, or bm and 8 digits (quote it in YAML: \"3302000001\")")
    return value


def _base_url(value: str) -> str:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?/?", value):
        raise ValueError("the site's address, such as https://www.example.gov.cn")
    return value.rstrip("/")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


class Contact(Strict):
    address: Text200
    phone: Text60
    postcode: Text10 | None = None
    email: Text120 | None = None
    hours: Text120 | None = None


def _category_name(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("the name of the 法定主动公开内容 category its pages belong to, such as 法规文件 "
                         "(a column no longer says just true)")
    return value


class ColumnSpec(Strict):
    slug: Slug
    title: Text20
    kind: Kind
    # ColumnDescription and ColumnKeywords (发展指引); when left out, derived from the title and the owner.
    description: Text200 | None = None
    keywords: Annotated[tuple[Text20, ...], Field(max_length=10)] = ()
    # The column's pages are 政府信息公开 items of this category (a name from site.yaml's xxgk categories).
    disclosure: Annotated[Text30, BeforeValidator(_category_name)] | None = None


class PortalColumnSpec(ColumnSpec):
    # A portal column may also list every department item of these kinds.
    aggregate: tuple[Kind, ...] = ()


def _unique_slugs(columns: tuple[ColumnSpec, ...]) -> tuple[ColumnSpec, ...]:
    seen: set[str] = set()
    for c in columns:
        if c.slug in (XXGK, BSFW):
            raise ValueError(f"column slugs other than '{XXGK}' and '{BSFW}' (every department's 政府信息公开 and "
                             f"办事服务 sections live there), not '{c.slug}'")
        if c.slug in seen:
            raise ValueError(f"each column slug once ('{c.slug}' is declared twice)")
        seen.add(c.slug)
    return columns


def _identity(value: str) -> str:
    if not (re.fullmatch(r"[^@\s<>,'\"]+@[^@\s<>,'\"]+\.[^@\s<>,'\"]+", value)
            or re.fullmatch(r"@[a-z0-9][a-z0-9-]{0,38}", value)):
        raise ValueError("a git identity: an e-mail address (such as li.ming@jxj.example.gov.cn) "
                         "or @group, a group from site.yaml's rights.groups")
    return value.lower()


# Who may change a folder: git author e-mail addresses, or @group for a group site.yaml names.
Identity = Annotated[str, AfterValidator(_identity)]
Identities = Annotated[tuple[Identity, ...], Field(max_length=200)]


class RightsSpec(Strict):
    """Who may change what (see rights.py): the admins own all but content/; the portal's editors content/portal/."""

    admins: Identities = ()
    portal: Identities = ()
    groups: Annotated[dict[Slug, Identities], Field(max_length=200)] = {}


HotWords = Annotated[tuple[Text20, ...], Field(max_length=12)]


class DepartmentSearchSpec(Strict):
    """A department's own hot words, shown on its sub-site instead of site.yaml's."""

    hot_words: HotWords


class DepartmentSpec(Strict):
    name: Text40
    short_name: Text16
    code: Annotated[str, AfterValidator(_uscc)]
    order: int = 100
    accent: Accent = "blue"
    banner: Text80 | None = None
    intro: Para600 | None = None
    contact: Contact
    columns: Annotated[tuple[ColumnSpec, ...], Field(min_length=1, max_length=40), AfterValidator(_unique_slugs)]
    editors: Identities = ()     # who may change content/<slug>/ (rights.py)
    # The guides (file names under content/<dept>/bsfw/) its home page shows under 办事服务.
    featured_services: Annotated[tuple[Slug, ...], Field(max_length=12)] = ()
    search: DepartmentSearchSpec | None = None


class GovMark(Strict):
    """The 党政机关网站标识: the issuing body's link and the image it hands out."""

    link: Annotated[str, Field(pattern=r"^https?://")]
    image: Text200


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


Named = Annotated[dict[Slug, Text30], Field(min_length=1, max_length=100), AfterValidator(_named)]


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

    zn: Text20 = "政府信息公开指南"
    zd: Text20 = "政府信息公开制度"
    fdzdgknr: Text20 = "法定主动公开内容"
    nb: Text20 = "政府信息公开年报"
    ysqgk: Text20 = "依申请公开"


class XxgkSpec(Strict):
    """The 政府信息公开 rules the platform admin sets once for the whole cluster."""

    index_pattern: Annotated[Text80, AfterValidator(_index_pattern)] = "{code}/{year}-{serial:05d}"
    sections: Sections = Sections()
    categories: Named = ARTICLE_20
    extra_categories: Annotated[dict[Slug, Text30], Field(max_length=50)] = {}
    topics: Named = TOPICS
    genres: Annotated[tuple[Text20, ...], Field(min_length=1, max_length=100)] = GENRES
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

    synonyms: Annotated[tuple[Annotated[tuple[Text20, ...], Field(min_length=2, max_length=20)], ...],
                        Field(max_length=2000)] = ()
    hot_words: HotWords = ()
    # whoosh: files beside the web root. postgres: a PostgreSQL database, whose connection string
    # is read from the environment variable SITEGEN_SEARCH_DSN, never from the repository.
    backend: Literal["whoosh", "postgres"] = "whoosh"


def _iso_date(value: Any) -> date:
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD (such as 2026-01-15)") from None


class Leader(Strict):
    """A leader's name and current title: the wrong and outdated forms are 严重表述错误."""

    name: Text10
    title: Text40
    misspellings: Annotated[tuple[Text10, ...], Field(max_length=20)] = ()
    former_titles: Annotated[tuple[Text40, ...], Field(max_length=20)] = ()
    since: Annotated[date, BeforeValidator(_iso_date)] | None = None   # when the title began


class EarlyWarnings(Strict):
    """Early-warning thresholds, stricter than the inspection rule's own (which are fixed by 国办)."""

    home_days: Annotated[int, Field(ge=1, le=14)] = 10               # veto at 14
    news_days: Annotated[int, Field(ge=1, le=14)] = 10               # 动态/要闻: stale at 14
    notice_days: Annotated[int, Field(ge=1, le=183)] = 150           # 通知公告/政策文件: stale at 183
    yearly_days: Annotated[int, Field(ge=1, le=365)] = 330           # 人事/规划计划: stale at 365
    stale_columns: Annotated[int, Field(ge=1, le=5)] = 3             # veto at 5 per site
    long_stale_columns: Annotated[int, Field(ge=1, le=10)] = 7       # veto at 10 per site
    blank_columns: Annotated[int, Field(ge=1, le=5)] = 3             # veto at 5 per site
    report_days: Annotated[int, Field(ge=0, le=31)] = 10             # days before 31 January


class CheckSpec(Strict):
    """What `sitegen check` reads from the admin: thresholds, leaders, sensitive words, targets."""

    warn: EarlyWarnings = EarlyWarnings()
    leaders: Annotated[tuple[Leader, ...], Field(max_length=200)] = ()
    sensitive_words: Annotated[tuple[Text30, ...], Field(max_length=5000)] = ()
    interpretation_target: Annotated[float, Field(ge=0, le=1)] = 0.8     # 解读比例 per department
    guide_max_days: Annotated[int, Field(ge=30, le=3650)] = 730           # 指南 and 制度 age
    # The portal column holding the 政府网站工作年度报表, one page per year: content/portal/<col>/<year>.md.
    website_reports: Slug | None = None


# 办事服务 themes as national service portals group them, for people (个人) and for businesses (法人).
PERSONAL_THEMES = {
    "jy": "教育", "shbz": "社会保障", "jycy": "就业创业", "ylws": "医疗卫生", "hj": "户籍", "hysy": "婚育收养",
    "zfbz": "住房保障", "ylfw": "养老服务", "jtcx": "交通出行", "zjbl": "证件办理",
}
CORPORATE_THEMES = {
    "kbqy": "开办企业", "gcjs": "工程建设", "zzrz": "资质认证", "rlzy": "人力资源", "kjcx": "科技创新",
    "nsjf": "纳税缴费", "zscq": "知识产权", "ylyp": "医疗药品",
}
LIFE_EVENTS = {"cs": "出生", "sx": "上学", "jy": "就业", "hy": "婚育", "gf": "购房", "txs": "退休", "shs": "身后事"}


def _guide_ref(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,30}/[a-z0-9][a-z0-9-]{0,79}", value):
        raise ValueError("a guide as <department>/<file name> (such as rsj/unemployment-benefit)")
    return value


class ServicesSpec(Strict):
    """The 办事服务 directory: its themes for people and businesses, life events, the portal's picks."""

    personal: Named = PERSONAL_THEMES
    corporate: Named = CORPORATE_THEMES
    events: Named = LIFE_EVENTS
    featured: Annotated[tuple[Annotated[str, AfterValidator(_guide_ref)], ...],
                        Field(max_length=12)] = ()   # <dept>/<guide file name>, on the portal home

    @model_validator(mode="after")
    def _one_theme_list(self) -> "ServicesSpec":
        # Theme slugs share /bsfw/zt/<slug>/, and a guide names its themes by name: each once in both lists.
        for slug, name in self.corporate.items():
            if slug in self.personal or name in self.personal.values():
                raise ValueError(f"法人 themes that are not also 个人 themes ('{slug}: {name}' is)")
        return self


class SiteSpec(Strict):
    name: Text40
    base_url: Annotated[str, AfterValidator(_base_url)]
    description: Para300
    site_id_code: Annotated[str, AfterValidator(_site_id)]
    icp: Text40
    police_record: Text40
    sponsor: Text60
    organizer: Text60
    contact: Contact
    theme: Slug = "default"
    page_size: Annotated[int, Field(ge=1, le=200)] = 20
    contact_page: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")] | None = None
    gov_mark: GovMark | None = None
    columns: Annotated[tuple[PortalColumnSpec, ...], AfterValidator(_unique_slugs)] = ()
    xxgk: XxgkSpec = XxgkSpec()
    search: SearchSpec = SearchSpec()
    services: ServicesSpec = ServicesSpec()
    releases: Annotated[int, Field(ge=1, le=1000)] = 10    # releases kept for `sitegen rollback`
    rights: RightsSpec = RightsSpec()
    check: CheckSpec = CheckSpec()


# ---------------------------------------------------------------- loading files


def read_text(path: Path, rel: str, limit: int) -> tuple[str | None, list[Problem]]:
    """Read a regular UTF-8 text file within a size bound; a problem, not an exception, when it is not."""
    raw, problems = read_bounded(path, rel, limit)
    if raw is None:
        return None, problems
    return decode(raw, rel)


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text without control characters (tab, newline and carriage return are text)."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - raw.rfind(b"\n", 0, e.start)
        return None, [Problem(rel, line, "(file)", "text encoded as UTF-8 (save the file as UTF-8)",
                              f"the byte 0x{raw[e.start]:02x} at byte {column} of the line")]
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        return None, [Problem(rel, line, "(file)", TEXT_ONLY,
                              f"the control character U+{ord(bad.group()):04X} at character {column} of the line")]
    return text, []


def load_yaml_file(path: Path, rel: str) -> tuple[Any, Lines, list[Problem]]:
    text, problems = read_text(path, rel, MAX_YAML_BYTES)
    if text is None:
        return None, {}, problems
    try:
        data, lines = parse_yaml(text)
    except YamlError as e:
        return None, {}, [Problem(rel, e.line, "(yaml)", e.expected, e.found)]
    return data, lines, []


def load_site(root: Path) -> tuple[SiteSpec | None, list[Problem]]:
    """site.yaml, and a problem for every special file in the site's folders (see files.scan)."""
    path = root / "site.yaml"
    specials = scan(root)
    if not path.exists() and not path.is_symlink():
        return None, [Problem("site.yaml", None, "(file)", "a site.yaml at the root of the site", "no such file")] + specials
    if any(p.file == "site.yaml" for p in specials):
        return None, specials
    data, lines, problems = load_yaml_file(path, "site.yaml")
    if problems:
        return None, problems + specials
    site, problems = validate(SiteSpec, data, "site.yaml", lines)
    return site, problems + specials


def load_departments(root: Path) -> tuple[dict[str, DepartmentSpec], dict[str, str], list[Problem]]:
    """Every departments/<slug>.yaml: the valid specs by slug, their files, and the problems."""
    specs: dict[str, DepartmentSpec] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    folder = root / "departments"
    for path in sorted(folder.glob("*")) if folder.is_dir() and not folder.is_symlink() else []:
        rel = path.relative_to(root).as_posix()
        if kind(path.lstat().st_mode):
            continue      # files.scan reports it
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

