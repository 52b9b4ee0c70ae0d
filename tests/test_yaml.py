"""Flat front matter read directly: the same data and lines PyYAML gives, or left to PyYAML."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sitegen import config

REPO = Path(__file__).parent.parent


def by_pyyaml(text: str, monkeypatch: pytest.MonkeyPatch):
    """parse_yaml with the direct reading turned off: PyYAML alone, or the error it reports."""
    with monkeypatch.context() as m:
        m.setattr(config, "_flat", lambda text, first_line: None)
        try:
            return config.parse_yaml(text, 2)
        except config.YamlError as e:
            return ("error", e.line, e.expected)


def front_matter(path: Path) -> str | None:
    rows = path.read_text(encoding="utf-8").split("\n")
    end = next((i for i in range(1, len(rows)) if rows[i].rstrip() == "---"), None)
    return "\n".join(rows[1:end]) if rows[0] == "---" and end else None


def same(fast, full) -> bool:
    # bool is an int to ==: the types must match too ("yes" is True, never the text "yes")
    return fast == full and [type(v) for v in fast[0].values()] == [type(v) for v in full[0].values()]


def test_the_demo_front_matter_reads_as_pyyaml_reads_it(monkeypatch):
    taken = 0
    pages = sorted((REPO / "content").rglob("*.md"))
    for path in pages:
        text = front_matter(path)
        fast = config._flat(text, 2) if text else None
        if fast is not None:
            taken += 1
            assert same(fast, by_pyyaml(text, monkeypatch)), path
    # Most pages' front matter is flat; if this falls, the direct reading has stopped taking them.
    assert taken > len(pages) * 0.5, (taken, len(pages))


# Words a value is made of: plain ones, and many on the edge of a rule (what YAML reads as a
# bool, a number or null; indicators; comments; characters YAML does not take as text).
PLAIN = ["关于做好2024年工作的通知", "临江市", "2024-04-28 14:03", "2024-04-28", "../zcwj/a.md", "x y", "通知"]
EDGES = ["true", "True", "no", "off", "y", "N", "~", "null", "123", "1_000", "0x1F", "1:30", "3.5", ".5", "-1", "+1", "1e3",
         ".inf", "<<", "=", "a  b", "a: b", "a:b", "a #b", "a#b", "a:", "'q'", '"q"', "q'q", "-a", "- a", "?a", "!tag",
         "&x", "*x", "%p", "@a", "`a", "|", ">", "{a: b}", "a\tb", "\u3000全角", "全角\u3000", "a\xa0", "\xa0a",
         "a\u2028b", "a\x85b", "a\ufeffb", "a\x1bb", "𠀀", "x,y", "a [b] c", "a {b}", "a]", "a, b", "C:\\path",
         "http://a.b/c?d=1#e", "、", "：", "＃", "", " ", "a ", " a"]
KEYS = ["title", "date", "summary", "keywords", "portal", "a_b"]
ODD_KEYS = ["on", "yes", "n", "null", "Title", "x-y", "title"]      # "title" again: the last one counts
ODD_ROWS = ["", " ", "# c", "  nested: x", "- item", "---", "k:", "k:  x", "k : x", "k:x", "k: [a, [b]]", "k: [a: b]",
            "k: [a #b]", "k: [a, ]", "k: []", "k: [a]b"]


def _word(rng: random.Random) -> str:
    return rng.choice(PLAIN) if rng.random() < 0.85 else rng.choice(EDGES)


def _row(rng: random.Random) -> str:
    r, key = rng.random(), rng.choice(KEYS) if rng.random() < 0.9 else rng.choice(ODD_KEYS)
    if r < 0.04:
        return rng.choice(ODD_ROWS)
    if r < 0.3:
        words = [_word(rng).replace("[", "").replace("]", "") for _ in range(rng.randint(1, 3))]
        return f"{key}: [" + rng.choice([", ", ",", " , "]).join(words) + "]"
    return f"{key}: {_word(rng)}{rng.choice(['', '', _word(rng)])}"


def test_generated_front_matter_reads_as_pyyaml_reads_it_or_is_left_to_it(monkeypatch):
    rng = random.Random(20261201)
    taken = left = 0
    for n in range(4000):
        text = "\n".join(_row(rng) for _ in range(rng.randint(1, 6)))
        fast = config._flat(text, 2)
        if fast is None:
            left += 1
            continue
        taken += 1
        assert same(fast, by_pyyaml(text, monkeypatch)), f"text {n}: {text!r}"
    assert taken > 800 and left > 800, (taken, left)


@pytest.mark.parametrize("text", ["on: x", "title: a #b", "title: a: b", "title: *x", "title: 'q'", "title: a\x85b",
                                  "portal: 1", "title: ~", "keywords: [a, [b]]", "title: x\n  more", "title: x\n\nb: y"])
def test_anything_else_is_left_to_pyyaml(text):
    assert config._flat(text, 2) is None


def test_a_flat_front_matter_gives_data_and_the_line_of_every_key():
    data, lines = config.parse_yaml("title: 通知\nkeywords: [审计, 整改]\nportal: yes", first_line=2)
    assert data == {"title": "通知", "keywords": ["审计", "整改"], "portal": True}
    assert lines == {(): 2, ("title",): 2, ("keywords",): 3, ("keywords", 0): 3, ("keywords", 1): 3, ("portal",): 4}
