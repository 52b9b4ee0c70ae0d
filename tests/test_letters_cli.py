"""`sitegen letters`: staff accounts, export and import, as a person types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.letters.security import check_password, digest
from sitegen.letters.store import open_store

PASSWORD = "correct horse battery"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def root(cluster_root):
    return cluster_root()


def test_user_add_list_and_remove(root):
    result = run("letters", "user", "add", "ann", "--mailbox", "jxj", "--root", str(root), input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "ann answers jxj"
    assert run("letters", "user", "add", "chief", "--admin", "--password-stdin", "--root", str(root),
               input=PASSWORD + "\n").output == "chief answers every mailbox\n"
    assert run("letters", "user", "list", "--root", str(root)).output == "ann\tjxj\nchief\t(admin: every mailbox)\n"
    store = open_store(str(root / "build/letters.sqlite"))
    assert check_password(store.user("ann").password_hash, PASSWORD)
    assert store.user("ann").password_hash.startswith("$argon2id$")
    assert run("letters", "user", "remove", "ann", "--root", str(root)).output == "ann removed\n"
    result = run("letters", "user", "remove", "ann", "--root", str(root))
    assert result.exit_code == 1 and result.output == "Error: no staff account named ann\n"


@pytest.mark.parametrize("args, password, message", [
    (["x", "--mailbox", "jxj"], PASSWORD, "Error: Invalid value for NAME: 2 to 40 letters, digits, '.', '_' or '-'"),
    (["ann", "--mailbox", "nope"], PASSWORD,
     "Error: Invalid value for --mailbox: portal or a department slug (jxj); found 'nope'"),
    (["ann"], PASSWORD, "Error: give either --mailbox SLUG or --admin"),
    (["ann", "--mailbox", "jxj", "--admin"], PASSWORD, "Error: give either --mailbox SLUG or --admin"),
    (["ann", "--mailbox", "jxj"], "short", "Error: Invalid value for password: at least 12 characters"),
])
def test_user_add_refuses_bad_input(root, args, password, message):
    result = run("letters", "user", "add", *args, "--password-stdin", "--root", str(root), input=password + "\n")
    assert result.exit_code == 2 and result.output.splitlines()[-1] == message
    assert not (root / "build/letters.sqlite").exists() or open_store(str(root / "build/letters.sqlite")).users() == []


def test_export_then_import_into_an_empty_store(root, tmp_path, monkeypatch):
    store = open_store(str(root / "build/letters.sqlite"))
    x = store.submit(code_hash=digest("C" * 12), mailbox="jxj", kind="建议", title="建议", body="内容", name="名",
                     phone="13900001111", email="", consent=True)
    store.reply(x, "ann", "答复", "jxj")
    run("letters", "user", "add", "ann", "--mailbox", "jxj", "--password-stdin", "--root", str(root),
        input=PASSWORD + "\n")
    backup = tmp_path / "backup.jsonl"
    result = run("letters", "export", str(backup), "--root", str(root))
    assert result.output == f"8 rows written to {backup}\n"
    rows = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
    assert [r["table"] for r in rows] == ["meta", "meta", "meta", "letters", "users", "audit", "audit", "audit"]
    assert [r.get("action") for r in rows[-3:]] == ["submit", "reply", "user-add"]
    monkeypatch.setenv("SITEGEN_LETTERS_DB", str(tmp_path / "restored.sqlite"))
    result = run("letters", "import", str(backup), "--root", str(root))
    assert result.exit_code == 0 and result.output == f"5 rows restored from {backup}\n"
    restored = open_store(str(tmp_path / "restored.sqlite"))
    assert restored.letters() == store.letters() and restored.user("ann") == store.user("ann")
    result = run("letters", "import", str(backup), "--root", str(root))
    assert result.exit_code == 1
    assert result.output == "Error: the store already has letters or staff: import only into an empty store\n"


@pytest.mark.parametrize("text, message", [
    ("", "expected the header line of a letters export"),
    ('{"table": "letters"}\n', "expected the header line of a letters export"),
    ('{"table": "meta", "key": "format", "value": "sitegen-letters 1"}\nnot json\n', "not a JSON line of a letters export"),
    ('{"table": "meta", "key": "format", "value": "sitegen-letters 1"}\n[1, 2]\n', "not a row of a letters export"),
])
def test_import_refuses_what_is_not_an_export(root, tmp_path, text, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(text, encoding="utf-8")
    result = run("letters", "import", str(bad), "--root", str(root))
    line = 1 if "header" in message else 2
    assert result.exit_code == 1 and result.output == f"Error: {bad}:{line}: {message}\n"
