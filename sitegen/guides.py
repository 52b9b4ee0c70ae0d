"""办事指南 over the assembled cluster: a guide's checked elements, its catalog row, exports and structured data."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from pathlib import Path

from .config import ServicesSpec, YamlError, line_of, parse_yaml, read_text
from .content import NO_FEE, Source
from .disclosure import csv_bytes
from .errors import Problem, shown
from .model import Attachment, Cluster, Department, Guide, Material, Page, Step
from .urls import BSFW, absolute

SECTION = BSFW          # content/<dept>/bsfw/: a department's guides, published at /<dept>/bsfw/<slug>/

# (attachment file, its line, its field, its title) -> the published attachment, or None after a problem
Attach = Callable[[str, "int | None", str, "str | None"], "Attachment | None"]   # (…, the link's title)


def guide_of(s: Source, dept: Department | None, services: ServicesSpec, attach: Attach,
             problems: list[Problem]) -> Guide | None:
    """The checked Guide of a page in a bsfw folder (None elsewhere); problems name file, line and field."""
    g = s.meta.guide
    here = s.column == SECTION
    if not here:
        if g is not None:
            problems.append(Problem(s.rel, s.lines.get(("guide",)), "guide",
                                    f"a guide block only on a 办事指南 in content/<department>/{SECTION}/",
                                    f"a guide block in content/{s.owner}/{s.column}/"))
        return None
    if dept is None:
        return None
    if g is None:
        problems.append(Problem(s.rel, 1, "guide", "a guide block with the matter's elements (type, audience, "
                                "themes, basis, conditions, materials, steps, legal_days, promised_days, fee, "
                                "place, hours, phone, complaint_phone, result, delivery, visits)", "nothing"))
        return None

    def at(*key) -> int | None:
        return s.lines.get(("guide", *key)) or s.lines.get(("guide",))

    themes = {**{n: "自然人" for n in services.personal.values()}, **{n: "法人" for n in services.corporate.values()}}
    for i, theme in enumerate(g.themes):
        if theme not in themes:
            problems.append(Problem(s.rel, at("themes", i), f"guide.themes.{i}", "a theme from site.yaml (个人: "
                                    + "、".join(services.personal.values()) + "; 法人: "
                                    + "、".join(services.corporate.values()) + ")", shown(theme)))
        elif themes[theme] not in g.audience:
            group = "个人" if themes[theme] == "自然人" else "法人"
            problems.append(Problem(s.rel, at("themes", i), f"guide.themes.{i}",
                                    f"a theme for the guide's audience ({'、'.join(g.audience)})",
                                    f"{shown(theme)}, a {group} theme"))
    for i, event in enumerate(g.events):
        if event not in services.events.values():
            problems.append(Problem(s.rel, at("events", i), f"guide.events.{i}", "a life event from site.yaml (one of "
                                    + "、".join(services.events.values()) + ")", shown(event)))
    if g.legal_days and g.promised_days > g.legal_days:
        problems.append(Problem(s.rel, at("promised_days"), "guide.promised_days",
                                f"at most the legal time limit ({g.legal_days} working days)", str(g.promised_days)))
    if g.fee != NO_FEE and g.fee_basis is None:
        problems.append(Problem(s.rel, at("fee"), "guide.fee_basis",
                                f"the basis of the charge (the document that sets it), or fee: {NO_FEE}", "nothing"))
    if g.fee == NO_FEE and g.fee_basis is not None:
        problems.append(Problem(s.rel, at("fee_basis"), "guide.fee_basis", f"no fee basis when fee is {NO_FEE}",
                                shown(g.fee_basis)))
    if g.visits == 0 and g.online is None:
        problems.append(Problem(s.rel, at("visits"), "guide.online",
                                "the online service hall's address (a matter with no visit is handled online)",
                                "nothing"))
    materials = []
    for i, m in enumerate(g.materials):
        sample = (attach(m.sample, at("materials", i, "sample"), f"guide.materials.{i}.sample", f"{m.name}（样表）")
                  if m.sample else None)
        materials.append(Material(m.name, m.form, m.copies, m.required, m.note, sample))
    return Guide(
        name=s.meta.title, code=g.code, type=g.type, agency=dept.name, audience=g.audience, themes=g.themes,
        events=g.events, basis=g.basis, conditions=g.conditions, materials=tuple(materials),
        steps=tuple(Step(x.name, x.detail) for x in g.steps), legal_days=g.legal_days,
        promised_days=g.promised_days, fee=g.fee, fee_basis=g.fee_basis, place=g.place, hours=g.hours,
        phone=g.phone, complaint_phone=g.complaint_phone, result=g.result, delivery=g.delivery, visits=g.visits,
        online=g.online)


def featured_problems(cluster: Cluster, root: Path) -> list[Problem]:
    """The guides the admin picked for the home pages must exist: site.yaml's and each department's."""
    problems = []
    expected = "a guide as <department>/<file name> (content/<department>/bsfw/<file name>.md)"
    for n, ref in enumerate(cluster.site.services.featured):
        owner, _, slug = ref.partition("/")
        if f"{owner}/{SECTION}/{slug}" not in cluster.pages:
            problems.append(Problem("site.yaml", _line(root, "site.yaml", ("services", "featured", n)),
                                    f"services.featured.{n}", expected, f"{shown(ref)}, which does not exist"))
    for dept in cluster.departments.values():
        for n, slug in enumerate(dept.featured_services):
            if f"{dept.slug}/{SECTION}/{slug}" not in cluster.pages:
                problems.append(Problem(dept.source, _line(root, dept.source, ("featured_services", n)),
                                        f"featured_services.{n}",
                                        f"a guide file name in content/{dept.slug}/{SECTION}/ (without .md)",
                                        f"{shown(slug)}, which does not exist"))
    return problems


def _line(root: Path, rel: str, key: tuple) -> int | None:
    # Read again only when there is a problem to place: loading keeps no lines of valid files.
    text, _ = read_text(root / rel, rel, 1 << 20)
    try:
        return line_of(parse_yaml(text)[1], key) if text is not None else None
    except YamlError:
        return None


def search_text(guide: Guide) -> str:
    """What search finds a guide by besides its body: the elements a citizen would type."""
    return "\n".join((guide.type, "、".join(guide.audience), "、".join(guide.themes + guide.events),
                      *guide.conditions, *(m.name for m in guide.materials), *(st.name for st in guide.steps),
                      guide.place, guide.result))


def days(n: int) -> str:
    return "即办" if n == 0 else f"{n}个工作日"


# ---------------------------------------------------------------- the catalog and its exports


def guides(cluster: Cluster, owner: str | None = None) -> tuple[Page, ...]:
    """Every guide (or one department's), departments in directory order, then by 事项名称's file name."""
    owners = [owner] if owner else list(cluster.departments)
    return tuple(cluster.pages[pid] for o in owners
                 for pid in sorted(cluster.listing.get(f"{o}/{SECTION}", ())))


EXPORT_FIELDS = ("name", "code", "type", "agency", "audience", "themes", "events", "basis", "conditions",
                 "materials", "steps", "legal_days", "promised_days", "fee", "fee_basis", "place", "hours",
                 "phone", "complaint_phone", "result", "delivery", "visits", "online", "url", "updated")


def record(page: Page, base_url: str) -> dict:
    g = page.guide
    assert g is not None
    return {
        "name": g.name, "code": g.code or "", "type": g.type, "agency": g.agency, "audience": list(g.audience),
        "themes": list(g.themes), "events": list(g.events), "basis": list(g.basis), "conditions": list(g.conditions),
        "materials": [{"name": m.name, "form": m.form, "copies": m.copies, "required": m.required, "note": m.note,
                       "sample": absolute(base_url, m.sample.url) if m.sample else ""} for m in g.materials],
        "steps": [{"name": st.name, "detail": st.detail} for st in g.steps],
        "legal_days": g.legal_days, "promised_days": g.promised_days, "fee": g.fee, "fee_basis": g.fee_basis or "",
        "place": g.place, "hours": g.hours, "phone": g.phone, "complaint_phone": g.complaint_phone,
        "result": g.result, "delivery": list(g.delivery), "visits": g.visits, "online": g.online or "",
        "url": absolute(base_url, page.url), "updated": page.date.isoformat(timespec="minutes") + "+08:00",
    }


def to_json(pages: Iterable[Page], base_url: str) -> str:
    return json.dumps([record(p, base_url) for p in pages], ensure_ascii=False, separators=(",", ":"))


def _flat(value) -> str:
    """A list as one cell: items joined with ；, a material as 名称（形式×份数，必要|非必要）."""
    if isinstance(value, list):
        return "；".join(_flat(v) for v in value)
    if isinstance(value, dict) and "form" in value:
        return f"{value['name']}（{value['form']}×{value['copies']}，{'必要' if value['required'] else '非必要'}）"
    if isinstance(value, dict):
        return f"{value['name']}：{value['detail']}"
    return str(value)


def to_csv(pages: Iterable[Page], base_url: str) -> bytes:
    """The same fields as the JSON, one guide a row; lists joined with ；."""
    return csv_bytes(EXPORT_FIELDS, ([_flat(record(p, base_url)[f]) for f in EXPORT_FIELDS] for p in pages))


# ---------------------------------------------------------------- structured data


def json_ld(page: Page, dept: Department, base_url: str) -> str:
    """schema.org GovernmentService, safe inside a <script> element."""
    g = page.guide
    assert g is not None
    channels = [{"@type": "ServiceChannel", "name": "窗口办理",
                 "serviceLocation": {"@type": "Place", "name": g.place, "address": g.place},
                 "servicePhone": {"@type": "ContactPoint", "telephone": g.phone, "contactType": "咨询电话"},
                 "hoursAvailable": g.hours}]
    if g.online:
        channels.append({"@type": "ServiceChannel", "name": "网上办理", "serviceUrl": g.online})
    data = {
        "@context": "https://schema.org", "@type": "GovernmentService",
        "name": g.name, "url": absolute(base_url, page.url), "serviceType": g.type,
        "provider": {"@type": "GovernmentOrganization", "name": g.agency, "url": absolute(base_url, dept.url),
                     "address": dept.contact.address, "telephone": dept.contact.phone},
        "audience": [{"@type": "Audience", "audienceType": a} for a in g.audience],
        "availableChannel": channels,
        "category": list(g.themes),
        "dateModified": page.date.isoformat(timespec="minutes") + "+08:00",
    }
    if g.code:
        data["identifier"] = g.code
    if page.summary:
        data["description"] = page.summary
    # "</script>" or "<!--" inside a value must not end the element: escape every <, > and &.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
