"""Text analysis for search, the same at index and query time: folding, character grams, words."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache

import opencc
import rjieba

# Bump when anything below changes what is indexed: a new version forces a full re-index.
ANALYSIS_VERSION = "4"

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# On folded text: a run of Chinese characters, or a run of ASCII letters and digits.
RUN = re.compile(f"([{CJK}]+)|[a-z0-9]+")
CJK_RUN = re.compile(f"[{CJK}]+")
CJK_CHAR = re.compile(f"[{CJK}]")
_BIGRAM = re.compile(f"(?=([{CJK}]{{2}}))")
_ENDS = re.compile(f"(?<![{CJK}])[{CJK}](?=[{CJK}])|[{CJK}](?![{CJK}])")
_LATIN = re.compile("[a-z0-9]+")
WORD = re.compile(f"[{CJK}]{{2,12}}|[a-z][a-z0-9]{{2,30}}")


@cache
def _fold_table() -> dict[int, str]:
    """One character for one character: Traditional → Simplified (OpenCC's own t2s tables),
    full-width → half-width (NFKC) and lower case.

    Keeping the length unchanged means an offset in folded text is an offset in the original,
    which is what highlighting needs; OpenCC's phrase-level rules are left out for the same
    reason, and because folding only has to be identical on both sides, not pretty.
    """
    convert = opencc.OpenCC("t2s").convert
    chars = [chr(c) for lo, hi in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for c in range(lo, hi)]
    # Newlines keep OpenCC from matching phrases across characters: each line is one character.
    simplified = convert("\n".join(chars)).split("\n")
    table = {ord(a): b for a, b in zip(chars, simplified, strict=True) if len(b) == 1 and a != b}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000 or code in table:
            continue
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        if len(folded) == 1 and folded != chr(code):
            table[code] = folded
    return table


@cache
def _foldable() -> tuple[re.Pattern, Callable[[re.Match], str]]:
    # A pattern of the characters the table changes, as ranges: str.translate looks up every
    # character of the text in the table (a quarter of a page's analysis), while most Chinese
    # text holds only a few characters to change, in runs that one match replaces whole.
    table = _fold_table()
    codes = sorted(table)
    spans: list[list[int]] = []
    for c in codes:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    pattern = re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                       for a, b in spans) + "]+")
    return pattern, lambda m: m.group().translate(table)


def fold(text: str) -> str:
    """Simplified, half-width, lower-case text of exactly the same length as ``text``."""
    pattern, replace = _foldable()
    return pattern.sub(replace, text)


@cache
def _word_folds() -> re.Pattern:
    word = re.compile(f"[{CJK}a-z0-9]")
    codes = sorted(c for c, v in _fold_table().items() if word.match(v) or word.match(chr(c)))
    return re.compile("[" + "".join(re.escape(chr(c)) for c in codes) + "]")


def folds_words(text: str) -> bool:
    """Does folding change a letter, digit or Chinese character of ``text``, or make one? If
    not, runs of them apart by anything else are found in the text as in its fold (full-width
    punctuation, which every Chinese page has, folds to other punctuation)."""
    return _word_folds().search(text) is not None


def grams(folded: str) -> list[str]:
    """The index tokens of folded text: for each run of Chinese, every character bigram and
    then the run's first and last characters alone; each run of letters and digits as one token.

    Every page that contains a word as a substring has all of the word's bigrams, whatever a
    segmenter would have made of the sentence: the bigrams find the candidates, and the stored
    text confirms them (``query._checker``). The trailing single character makes every
    occurrence of one character reachable through a bigram that starts with it, or itself. The
    leading one is what a query such as 2012年 or 6000多 needs: a character that follows digits
    or letters starts a run of Chinese, and may end none on the page.
    """
    out: list[str] = []
    for m in RUN.finditer(folded):
        run = m.group()
        if m.group(1):
            out.extend([run[i:i + 2] for i in range(len(run) - 1)])
            if len(run) > 1:
                out.append(run[0])
            out.append(run[-1])
        else:
            out.append(run)
    return out


def gram_counts(folded: str) -> dict[str, int]:
    """``Counter(grams(folded))``, found by regular expressions, in C: a page's 1,000 tokens
    cost a third of what a Python loop over its runs does."""
    counts = Counter(_BIGRAM.findall(folded))
    counts.update(_ENDS.findall(folded))     # a run's first character (if it has a second) and its last
    counts.update(_LATIN.findall(folded))
    return dict(counts)


def runs(folded: str) -> list[str]:
    """The runs of Chinese and of letters and digits in folded text, in order."""
    return [m.group() for m in RUN.finditer(folded)]


def phrase_grams(folded_run: str) -> list[str]:
    """The tokens a query run needs in a page: its bigrams, or the character itself for a
    one-character run (no trailing single: the run may go on in a page)."""
    if len(folded_run) == 1:
        return [folded_run]
    return [folded_run[i:i + 2] for i in range(len(folded_run) - 1)]


class Segmenter:
    """jieba's dictionary (through rjieba, the Rust port: same dictionary and cuts, ~18× faster),
    plus the admin's own words (synonyms, hot words) so that they are cut whole."""

    def __init__(self, extra_words: tuple[str, ...] = ()):
        self.extra_words = tuple(sorted({fold(w) for w in extra_words if CJK_RUN.fullmatch(fold(w))}))
        self._jieba = rjieba.Jieba()
        for word in self.extra_words:
            self._jieba.add_word(word, None, None)

    @property
    def fingerprint(self) -> str:
        data = "\n".join((ANALYSIS_VERSION, *self.extra_words))
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    def words(self, folded: str) -> list[str]:
        """The words of folded text, in order; punctuation and single characters dropped."""
        return [w for w in self._jieba.cut(folded, False) if WORD.fullmatch(w)]

    def pieces(self, folded: str) -> list[str]:
        """Every piece of the cut in order, punctuation and spaces included (they break phrases)."""
        return self._jieba.cut(folded, False)

    def cut(self, folded: str) -> list[str]:
        """Every piece of folded text in order, single characters included (for long queries)."""
        return [w for w in self._jieba.cut(folded, False) if RUN.fullmatch(w)]


@cache
def segmenter(extra_words: tuple[str, ...]) -> Segmenter:
    """One segmenter per word list and process: building one loads the whole dictionary."""
    return Segmenter(extra_words)


_DOC_BRACKETS = str.maketrans({c: "[" for c in "〔［【（(｛{〖"} | {c: "]" for c in "〕］】）)｝}〗"})


def doc_number_key(text: str) -> str:
    """A 文号 with every kind of bracket, width and spacing made one: 经信发[2024]12号 and
    经信发〔2024〕12号 give the same key."""
    return re.sub(r"\s+", "", fold(text.translate(_DOC_BRACKETS)))


def doc_number_keys(text: str) -> list[str]:
    """The keys a 文号 is found by: the whole number, and the number without one or more of its
    leading characters (a citizen often leaves out the city: 发改规[2024]2号 for 临发改规〔2024〕2号)."""
    key = doc_number_key(text)
    head = key.split("[", 1)[0]
    return [key[i:] for i in range(max(1, len(head) - 1))] if " " not in key else []


DOC_NUMBER = re.compile(r"^\S{1,20}[\[〔［【（(]\s*\d{4}\s*[\]〕］】）)]\s*\d{1,5}\s*号$")
