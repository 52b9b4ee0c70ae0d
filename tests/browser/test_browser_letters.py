"""互动交流 in headless Chromium, without JavaScript: a citizen writes, staff sign in and answer, the
build publishes, the citizen reads the reply with the 查询码. Every screen: axe 0 at 1280 and 375 px,
and the Nu Html Checker 0 on the HTML the browser was given."""

from __future__ import annotations

import socketserver
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import browser_helpers as bh
import pytest
from browser_helpers import WIDTHS
from clusters import make_cluster, page

from sitegen.letters.app import LettersApp
from sitegen.letters.security import hash_password
from sitegen.letters.store import open_store
from sitegen.preview import Preview
from sitegen.urls import LETTERS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


class _Threading(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def build(root: Path) -> None:
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=300)


@pytest.fixture(scope="module")
def letters_site(tmp_path_factory):
    root = make_cluster(tmp_path_factory.mktemp("letters") / "site",
                        {"content/jxj/gzdt/a.md": page("推进一网通办", "2024-03-01 09:00", "正文。")})
    build(root)
    store = open_store(str(root / "build" / "letters.sqlite"))
    store.add_user("ann", "jxj", hash_password(PASSWORD))
    app = Preview(root / "build" / "site", mounts={LETTERS: LettersApp(store, root / "build" / "site")})
    server = make_server("127.0.0.1", 0, app, server_class=_Threading, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    store.close()


def checked(pg, where: str, saved: list, folder: Path) -> None:
    """axe at both widths; the HTML as served (before axe is injected) kept for one Nu run at the end."""
    path = folder / f"{len(saved):02d}-{where}.html"
    path.write_text(pg.content(), encoding="utf-8")
    saved.append(path)
    for name, (w, h) in WIDTHS.items():
        pg.set_viewport_size({"width": w, "height": h})
        violations = bh.run_axe(pg)
        assert violations == [], bh.format_axe_violations(violations, f"{where} at {name}")


def test_a_citizen_writes_staff_answer_the_build_publishes_and_the_citizen_reads_the_reply(browser, letters_site,
                                                                                              tmp_path):
    root, base = letters_site
    saved: list[Path] = []
    # bypass_csp only so that axe-core can be injected; JavaScript is otherwise off: plain forms.
    citizen = browser.new_context(locale="zh-CN", bypass_csp=True)
    pg = citizen.new_page()
    pg.goto(base + "/jxj/hdjl/")
    assert pg.locator("h1").inner_text() == "互动交流"
    checked(pg, "published-empty", saved, tmp_path)
    pg.get_by_role("link", name="我要写信").first.click()
    assert pg.locator("#mailbox").input_value() == "jxj"
    checked(pg, "form", saved, tmp_path)
    pg.get_by_role("button", name="提交信件").click()             # nothing filled in
    assert pg.locator(".letters-errors li").first.inner_text() == "请选择信件类型：咨询、建议、投诉或求助。"
    checked(pg, "form-errors", saved, tmp_path)
    pg.get_by_label("咨询").check()
    pg.get_by_label("标题 *（不超过 60 个字）").fill("企业技改补贴怎么申请")
    pg.get_by_label("信件内容 *（不超过 5000 个字）").fill("我是王小明，住江滨路12号。\n请问技改补贴怎么申请？")
    pg.get_by_label("姓名 *", exact=True).fill("王小明")
    pg.get_by_label("手机号码", exact=True).fill("13812345678")
    pg.get_by_label("同意公开", exact=True).check()
    pg.get_by_role("button", name="提交信件").click()
    assert pg.locator("h1").inner_text() == "来信已收到"
    code = pg.locator(".letters-code").inner_text()
    checked(pg, "received", saved, tmp_path)

    staff = browser.new_context(locale="zh-CN", bypass_csp=True)
    sp = staff.new_page()
    sp.goto(base + "/letters/admin/")
    checked(sp, "sign-in", saved, tmp_path)
    sp.get_by_label("用户名").fill("ann")
    sp.get_by_label("密码").fill(PASSWORD)
    sp.get_by_role("button", name="登录").click()
    assert sp.locator("h1").inner_text() == "来信办理"
    assert sp.locator("tbody tr td").nth(5).inner_text() == "10"          # working days left
    checked(sp, "inbox", saved, tmp_path)
    sp.get_by_role("link", name="企业技改补贴怎么申请").click()
    assert "王小明" in sp.locator(".letters-meta").inner_text()
    sp.get_by_label("答复内容（纯文本，不超过 10000 个字）").fill("王小明您好：\n请登录惠企平台在线申请。")
    sp.get_by_role("button", name="保存答复").click()
    assert sp.get_by_role("status").inner_text() == "答复已保存。"
    sp.get_by_role("button", name="公开（答复后随下次构建发布）").click()
    assert sp.get_by_role("status").inner_text() == "已选择公开，下次构建后发布。"
    checked(sp, "staff-letter", saved, tmp_path)

    build(root)
    pg.goto(base + "/jxj/hdjl/")
    assert "收到来信 1 件" in " ".join(pg.locator(".letters-figures").inner_text().split())
    checked(pg, "published-list", saved, tmp_path)
    pg.get_by_role("link", name="企业技改补贴怎么申请").click()
    body = pg.locator("main").inner_text()
    assert "王**您好：" in body and "请登录惠企平台在线申请。" in body and "江滨路***" in body
    assert "王小明" not in body and "13812345678" not in body
    checked(pg, "published-letter", saved, tmp_path)

    pg.goto(base + "/letters/lookup/")
    checked(pg, "lookup", saved, tmp_path)
    pg.get_by_label("查询码 *").fill(code)
    pg.get_by_role("button", name="查询").click()
    assert pg.locator("h1").inner_text() == "企业技改补贴怎么申请"
    assert "王小明您好：" in pg.locator("main").inner_text() and "已回复" in pg.locator("main").inner_text()
    checked(pg, "lookup-reply", saved, tmp_path)
    citizen.close()
    staff.close()

    if bh.java_executable() is None or not bh.VNU_JAR.is_file():
        if bh.in_ci():
            pytest.fail("java or vnu.jar is missing")
        pytest.skip("java or vnu.jar is missing")
    results = bh.run_vnu(saved)
    wrong = {p.name: bh.format_vnu_messages(r["errors"]) for p, r in results.items() if r["errors"]}
    assert wrong == {}
