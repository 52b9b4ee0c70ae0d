"""The letters store, the same tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import datetime

import pytest
from letters_db import store, store_address  # noqa: F401  (fixtures)

from sitegen.letters.mask import mask, masked_name
from sitegen.letters.publish import snapshot
from sitegen.letters.security import digest
from sitegen.letters.store import CHINA, CLOSED, EVERY, MIGRATIONS, REPLIED, WAITING, Store, StoreError, open_store
from sitegen.letters.workdays import between, left


def letter(store, mailbox="fgw", code="AAAABBBBCCCC", consent=True, **kw):
    fields = dict(code_hash=digest(code), mailbox=mailbox, kind="咨询", title="停车难", body="小区停车难。",
                  name="李四", phone="13900001111", email="", consent=consent)
    fields.update(kw)
    return store.submit(**fields)


def test_a_letter_is_stored_numbered_and_found_by_its_code_only(store):
    first = letter(store, received=datetime(2026, 3, 2, 9, 0, tzinfo=CHINA))
    second = letter(store, code="DDDDEEEEFFFF")
    assert first.number == "2026000001" and first.status == WAITING and first.reply == ""
    assert second.number.endswith("000002")
    assert store.by_code(digest("AAAABBBBCCCC")) == first
    assert store.by_code(digest("AAAABBBBCCCX")) is None
    assert store.by_code("AAAABBBBCCCC") is None      # the code itself is never stored
    assert [x.id for x in store.letters("fgw")] == [first.id, second.id]
    assert store.letters("jyj") == []


def test_reply_transfer_close_and_publish_are_recorded_in_the_audit_log(store):
    x = letter(store)
    store.transfer(x, "ann", "jyj")
    x = store.letter(x.id)
    assert x.mailbox == "jyj"
    store.reply(x, "bob", "请到窗口办理。", "jyj")
    x = store.letter(x.id)
    assert (x.status, x.reply, x.replied_by) == (REPLIED, "请到窗口办理。", "jyj") and x.replied is not None
    store.set_publish(x, "bob", True)
    store.close_letter(store.letter(x.id), "bob")
    x = store.letter(x.id)
    assert x.publish and x.status == CLOSED and x.closed is not None
    actions = [(actor, action, detail) for _, actor, action, _, detail in store.audit_log()]
    assert actions == [("citizen", "submit", "fgw"), ("ann", "transfer", "fgw -> jyj"),
                       ("bob", "reply", "7 characters"), ("bob", "publish", ""), ("bob", "close", "")]


def test_publishing_needs_the_citizens_consent(store):
    x = letter(store, consent=False)
    with pytest.raises(StoreError, match="only with its writer's consent"):
        store.set_publish(x, "bob", True)
    assert not store.letter(x.id).publish


def test_migration_is_versioned_and_idempotent(store_address):
    s = open_store(store_address)
    assert s.version() == len(MIGRATIONS)
    secret = s.secret()
    assert s.migrate() == len(MIGRATIONS) and s.secret() == secret     # running again changes nothing
    with s._tx() as cur:
        s._run(cur, "UPDATE meta SET value = ? WHERE key = 'schema'", (str(len(MIGRATIONS) + 1),))
    with pytest.raises(StoreError, match=f"newer than this sitegen \\({len(MIGRATIONS)}\\): upgrade sitegen"):
        s.migrate()
    s.close()


def test_users_and_sessions(store):
    store.add_user("ann", "fgw", "hash1")
    store.add_user("root", EVERY, "hash2")
    assert store.user("ann").mailbox == "fgw" and store.user("root").admin
    x = letter(store)
    assert store.user("ann").may(x) and store.user("root").may(x)
    store.add_user("ann", "jyj", "hash3")                 # again: moves her to another mailbox
    assert not store.user("ann").may(x)
    future = datetime(2099, 1, 1, tzinfo=CHINA)
    store.open_session("tok", store.user("ann"), "csrf", future)
    assert store.session("tok").user.name == "ann" and store.session("tok").csrf == "csrf"
    store.open_session("old", store.user("ann"), "csrf", datetime(2000, 1, 1, tzinfo=CHINA))
    assert store.session("old") is None                   # expired
    assert store.remove_user("ann") and store.session("tok") is None
    assert not store.remove_user("ann")


def test_export_and_import_restore_everything(store_address, tmp_path):
    s = open_store(store_address)
    x = letter(s)
    s.reply(x, "bob", "答复", "fgw")
    s.add_user("bob", "fgw", "h")
    rows = list(s.export())
    s.close()
    target = open_store(str(tmp_path / "restored.sqlite"))
    assert target.import_rows(iter(rows[1:])) == 1 + 1 + 3
    assert target.letters() == open_store(store_address).letters()
    assert target.user("bob") == open_store(store_address).user("bob")
    assert target.audit_log() == open_store(store_address).audit_log()
    assert target.secret() == open_store(store_address).secret()
    nxt = letter(target, code="ZZZZZZZZZZZZ")             # numbering carries on after the restored ones
    assert nxt.id == x.id + 1
    with pytest.raises(StoreError, match="import only into an empty store"):
        target.import_rows(iter(rows[1:]))
    fresh = open_store(str(tmp_path / "other.sqlite"))
    with pytest.raises(StoreError, match=r"an export row of letters has unknown columns \['evil\) --'\]"):
        fresh.import_rows(iter([{"table": "letters", "evil) --": 1}]))


def test_snapshot_publishes_only_answered_consented_letters_masked(store_address):
    s = open_store(store_address)
    received = datetime(2026, 9, 28, 10, 0, tzinfo=CHINA)      # a Monday before the National Day holiday
    shown = letter(s, code="A" * 12, received=received, name="王小明",
                   body="我是王小明，住江滨路12号3单元，手机13812345678，身份证330203199001011234，邮箱a.b@qq.com。")
    s.reply(shown, "bob", "王小明您好：已办。", "fgw", at=datetime(2026, 10, 9, 10, 0, tzinfo=CHINA))
    s.set_publish(s.letter(shown.id), "bob", True)
    unanswered = letter(s, code="B" * 12)
    s.set_publish(unanswered, "bob", True)                     # chosen, but no reply yet: not published
    private = letter(s, code="C" * 12, consent=False)
    s.reply(private, "bob", "已办", "fgw")
    s.close()
    snap = snapshot(store_address)
    assert [p.number for p in snap.letters] == [shown.number]
    p = snap.letters[0]
    assert p.writer == "王**"
    assert p.body == "我是王**，住江滨路***，手机138****5678，身份证330203************，邮箱***@***。"
    assert p.reply == "王**您好：已办。"
    fgw = snap.figures[0]
    # after 9/28: 9/29, 9/30, 10/8 and 10/9 are working days (10/1-10/7 is the National Day holiday)
    assert between(received.date(), datetime(2026, 10, 9).date()) == 4
    # the other answer came the day it arrived: (4 + 0) / 2
    assert (fgw.mailbox, fgw.received, fgw.answered, fgw.average_days) == ("fgw", 3, 2, 2.0)


def test_snapshot_of_a_missing_file_is_empty_and_creates_nothing(tmp_path):
    assert snapshot(str(tmp_path / "none.sqlite")).letters == ()
    assert not (tmp_path / "none.sqlite").exists()


def test_snapshot_of_a_broken_store_is_a_store_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot read the letters in .*bad.sqlite: file is not a database"):
        snapshot(str(bad))


def test_a_store_that_cannot_be_opened_says_where():
    with pytest.raises(StoreError, match=r"cannot connect to postgresql://u:\*\*\*@127.0.0.1:1/x"):
        Store("postgresql://u:secretpw@127.0.0.1:1/x").letters()


def test_masking():
    assert mask("电话 0574-87654321 或 13800138000") == "电话 0574-******** 或 138****8000"
    assert mask("身份证号33020319900101123X") == "身份证号330203************"
    assert mask("家住中山路100号", names=()) == "家住中山路***"
    assert mask("张三说", names=("张三",)) == "张*说"
    assert masked_name("欧阳娜娜") == "欧***" and masked_name("") == "网友"


def test_working_days_left():
    # received Friday 2026-10-09; by Friday 10-16 six working days have passed (Saturday 10-10 was a 调休 workday)
    assert left(datetime(2026, 10, 9).date(), datetime(2026, 10, 16).date()) == 10 - 6
    assert left(datetime(2026, 10, 9).date(), datetime(2026, 10, 30).date()) == -6


@pytest.mark.parametrize("address", ["host=127.0.0.1 port=5432 dbname=letters user=sitegen",
                                     "dbname=letters password=s3cret"])
def test_a_keyword_connection_string_is_refused_not_taken_for_a_file_name(address, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="postgresql://user:password@host:port/dbname") as refused:
        open_store(address)
    assert "s3cret" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []          # no SQLite file named after it, anywhere
    # A path with an = in a folder's name is still a path.
    assert open_store(str(tmp_path / "a=b" / "letters.sqlite")).letters() == []
