"""The demo's 办事指南: at least four per department, and each ranks first when its 事项名称 is searched."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from clusters import REPO

from sitegen.assemble import assemble
from sitegen.build import build, load
from sitegen.search.service import SearchService

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "site"
    build(REPO, out)
    records, _ = load(REPO)
    cluster, problems = assemble(records)
    return out, cluster, problems, SearchService(out.parent / "search")


def api(app: SearchService, **params) -> dict:
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode(params)},
                        lambda status, headers: None))
    return json.loads(body)


def test_every_department_has_at_least_four_guides(demo):
    out, cluster, problems, _ = demo
    assert [str(p) for p in problems if p.severity == "error"] == []
    for slug in cluster.departments:
        guides = [p for p in cluster.pages.values() if p.owner == slug and p.guide is not None]
        assert len(guides) >= 4, slug
        assert all(g.guide.agency == cluster.departments[slug].name for g in guides)
        assert len(json.loads((out / slug / "bsfw" / "catalog.json").read_text(encoding="utf-8"))) == len(guides)
    portal = json.loads((out / "bsfw" / "catalog.json").read_text(encoding="utf-8"))
    assert len(portal) == sum(1 for p in cluster.pages.values() if p.guide is not None)


def test_a_guide_ranks_first_when_its_name_is_searched(demo):
    _, cluster, _, app = demo
    wrong = []
    for page in cluster.pages.values():
        if page.guide is None:
            continue
        everything, services = api(app, q=page.guide.name), api(app, q=page.guide.name, kind="service")
        if everything["results"][0]["url"] != page.url or services["results"][0]["url"] != page.url:
            wrong.append((page.guide.name, everything["results"][0]["url"]))
    assert wrong == []
