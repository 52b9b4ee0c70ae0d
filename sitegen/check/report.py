"""The check's report: text for the terminal, JSON for tools, and the HTML scorecard for the admin."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import jinja2

from ..model import Cluster
from ..urls import PORTAL
from .finding import LEVEL_NAMES, LEVELS, Finding


def scorecard(cluster: Cluster, findings: tuple[Finding, ...]) -> list[tuple[str, str, Counter]]:
    """(slug, name, count per level) for the portal and every department, in menu order."""
    counts: dict[str, Counter[str]] = {slug: Counter() for slug in [PORTAL, *cluster.departments]}
    for f in findings:
        counts.setdefault(f.owner, Counter())[f.level] += 1
    return [(slug, cluster.owner_name(slug) if slug == PORTAL or slug in cluster.departments else slug, c)
            for slug, c in counts.items()]


def to_text(cluster: Cluster, findings: tuple[Finding, ...], as_of: datetime) -> str:
    lines = [str(f) for f in findings]
    total = Counter(f.level for f in findings)
    lines.append(f"{cluster.site.name} as of {as_of:%Y-%m-%d %H:%M}: "
                 + ", ".join(f"{total[level]} {LEVEL_NAMES[level]}" for level in LEVELS))
    return "\n".join(lines)


def to_json(cluster: Cluster, findings: tuple[Finding, ...], as_of: datetime) -> str:
    return json.dumps({
        "site": cluster.site.name, "as_of": as_of.isoformat(timespec="minutes") + "+08:00",
        "scorecard": [{"department": slug, "name": name, **{level: c[level] for level in LEVELS}}
                      for slug, name, c in scorecard(cluster, findings)],
        "findings": [f.as_dict() for f in findings],
    }, ensure_ascii=False, indent=1)


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>网站检查 {{ site }} {{ as_of }}</title>
<style>
body{font:14px/1.6 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right}.veto{background:#fde2e2}.deduction{background:#fff3d6}.warning{background:#eef4ff}
.pass{color:#176b2c}.fail{color:#b00020;font-weight:bold}
</style></head><body>
<h1>网站检查：{{ site }}</h1>
<p>检查日期 {{ as_of }}（北京时间）。依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）、
《政府网站发展指引》（国办发〔2017〕47号）和《政府信息公开条例》。本报告供管理员使用，不在网站上发布。</p>
<p class="{{ 'fail' if total.veto else 'pass' }}">{{ '有单项否决项，检查不合格' if total.veto else '无单项否决项' }}</p>
<table><caption>各站点计分卡</caption>
<thead><tr><th scope="col">站点</th>{% for level in levels %}<th scope="col">{{ names[level] }}</th>{% endfor %}</tr></thead>
<tbody>{% for slug, name, c in card %}<tr><th scope="row"><a href="#{{ slug }}">{{ name }}</a>（{{ slug }}）</th>
{% for level in levels %}<td class="n{% if c[level] and level != 'scheduled' %} {{ level }}{% endif %}">{{ c[level] }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% for slug, name, c in card %}{% set mine = by_owner.get(slug, []) %}
<h2 id="{{ slug }}">{{ name }}</h2>
{% if mine %}<table><thead><tr><th scope="col">级别</th><th scope="col">规则</th><th scope="col">栏目</th><th scope="col">文件</th>
<th scope="col">要求（阈值）</th><th scope="col">发现</th><th scope="col">处理</th></tr></thead><tbody>
{% for f in mine %}<tr class="{{ f.level }}"><td>{{ names[f.level] }}</td><td>{{ f.rule }}</td><td>{{ f.column }}</td>
<td>{{ f.file }}{% if f.line %}:{{ f.line }}{% endif %}</td><td>{{ f.expected }}</td><td>{{ f.found }}</td><td>{{ f.todo }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p class="pass">没有发现问题。</p>{% endif %}
{% endfor %}
</body></html>
""")


def to_html(cluster: Cluster, findings: tuple[Finding, ...], as_of: datetime) -> str:
    by_owner: dict[str, list[Finding]] = {}
    for f in findings:
        by_owner.setdefault(f.owner, []).append(f)
    return _HTML.render(site=cluster.site.name, as_of=f"{as_of:%Y-%m-%d %H:%M}", card=scorecard(cluster, findings),
                        levels=LEVELS, names=LEVEL_NAMES, by_owner=by_owner,
                        total=Counter(f.level for f in findings))
