"""The index's vocabulary: document frequencies, pinyin keys and did-you-mean candidates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pypinyin import lazy_pinyin

from .analysis import CJK_RUN

MIN_DF = 1            # every word counts: in a small site, a programme is named on one page
PHRASE = "+"          # marks a phrase learned from the corpus (schema.page_words) in the counts
PHRASE_DF = 2         # weight a learned phrase needs before it is offered (schema.page_words)
MAX_PINYIN = 24       # letters; longer input is not a word typed in pinyin
LETTERS = re.compile(r"^[a-z]{2,60}$")


def pinyin_keys(word: str) -> tuple[str, str]:
    """Full pinyin without tones and the first letters: 智慧城市 → (zhihuichengshi, zhcs)."""
    syllables = lazy_pinyin(word, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


def served(key: str, df: int) -> str | None:
    """The word a counted key offers to pinyin and did-you-mean, if it offers one: a segmenter's
    word at once, a learned phrase once PHRASE_DF pages have it."""
    if key.startswith(PHRASE):
        return key[1:] if df >= PHRASE_DF else None
    return key if df >= MIN_DF else None


@dataclass(frozen=True)
class Lexicon:
    """Key → (document frequency, full pinyin, initials) for every key counted in the index: the
    segmenter's words, and phrases learned from the corpus (marked with PHRASE). Lookups see
    the words that ``served`` lets through, each with the larger of its two counts."""

    words: Mapping[str, tuple[int, str, str]]
    by_full: Mapping[str, tuple[str, ...]] = field(default_factory=dict)      # most frequent first
    by_initials: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    by_length: Mapping[int, tuple[str, ...]] = field(default_factory=dict)   # words offered
    offered: Mapping[str, tuple[int, str, str]] = field(default_factory=dict)  # word -> its entry, as offered

    @staticmethod
    def from_counts(counts: Mapping[str, int], previous: Mapping[str, tuple[int, str, str]] | None = None,
                    pinned: Iterable[str] = (), mapper: Callable = map) -> Lexicon:
        """Counts to a lexicon, with its lookups (see ``entries_of``)."""
        return Lexicon.of(Lexicon.entries_of(counts, previous, pinned, mapper))

    @staticmethod
    def entries_of(counts: Mapping[str, int], previous: Mapping[str, tuple[int, str, str]] | None = None,
                   pinned: Iterable[str] = (), mapper: Callable = map) -> dict[str, tuple[int, str, str]]:
        """Counts to a lexicon's entries, what ``save`` writes (the index stage builds no lookups:
        the service does, when it loads them); pinyin comes from ``previous`` where it is known
        (it is the slow part: about 0.1 ms a word), and is computed, by ``mapper`` (a process
        pool's map for many words), for the words offered, or ``pinned``."""
        previous = previous or {}
        pinned = set(pinned)
        words: dict[str, tuple[int, str, str]] = {}
        todo: dict[str, str] = {}
        for key, df in counts.items():
            if df <= 0:
                continue
            full = initials = ""
            word = served(key, df) or (key.removeprefix(PHRASE) if key.removeprefix(PHRASE) in pinned else None)
            if word and CJK_RUN.fullmatch(word):
                old = previous.get(key)
                if old and old[1]:
                    full, initials = old[1], old[2]
                else:
                    todo[key] = word
            words[key] = (df, full, initials)
        for key, (full, initials) in zip(todo, mapper(pinyin_keys, todo.values())):
            words[key] = (words[key][0], full, initials)
        return words

    @staticmethod
    def of(words: Mapping[str, tuple[int, str, str]]) -> Lexicon:
        offered: dict[str, tuple[int, str, str]] = {}
        for key, (df, f, i) in words.items():
            word = served(key, df) or (key.removeprefix(PHRASE) if f else None)    # pinned: has pinyin
            if word and (word not in offered or offered[word][0] < df):
                old = offered.get(word)
                offered[word] = (df, f or (old[1] if old else ""), i or (old[2] if old else ""))
        full: dict[str, list[str]] = {}
        initials: dict[str, list[str]] = {}
        lengths: dict[int, list[str]] = {}
        for word, (_, f, i) in offered.items():
            if f:
                full.setdefault(f, []).append(word)
                initials.setdefault(i, []).append(word)
            lengths.setdefault(len(word), []).append(word)
        rank = lambda ws: tuple(sorted(ws, key=lambda w: (-offered[w][0], w)))
        return Lexicon(words, {k: rank(v) for k, v in full.items()}, {k: rank(v) for k, v in initials.items()},
                       {k: rank(v) for k, v in lengths.items()}, offered)

    def df(self, word: str) -> int:
        entry = self.offered.get(word)
        return entry[0] if entry else 0

    # ------------------------------------------------------------ pinyin

    def from_pinyin(self, letters: str, limit: int = 5) -> tuple[str, ...]:
        """Chinese words for a pinyin string: a whole word's full pinyin or initials, or else
        the most frequent split of full pinyin into known words (zhihuichengshi → 智慧城市)."""
        if not LETTERS.match(letters) or len(letters) > 60:
            return ()
        found = list(self.by_full.get(letters, ()))
        found += [w for w in self.by_initials.get(letters, ()) if w not in found]
        if not found:
            joined = self._split_full(letters)
            if joined:
                found.append(joined)
        return tuple(found[:limit])

    def _split_full(self, letters: str) -> str | None:
        # best[i]: (score, words) of the best split of letters[:i]; a split scores by its fewest
        # words, then by the rarest word's frequency, so whole known words beat fragments.
        best: list[tuple[tuple[int, int], list[str]] | None] = [None] * (len(letters) + 1)
        best[0] = ((0, 0), [])
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - MAX_PINYIN), end):
                prev = best[start]
                if prev is None:
                    continue
                words = self.by_full.get(letters[start:end])
                if not words:
                    continue
                word = words[0]
                score = (prev[0][0] - 1, min(prev[0][1] or 10 ** 9, self.df(word)))
                current = best[end]
                if current is None or score > current[0]:
                    best[end] = (score, prev[1] + [word])
        done = best[len(letters)]
        return "".join(done[1]) if done and len(done[1]) <= 4 else None

    # ------------------------------------------------------------ did you mean

    def similar(self, folded: str, limit: int = 5) -> tuple[str, ...]:
        """Known words that sound the same or are one character away, most frequent first."""
        if not CJK_RUN.fullmatch(folded) or not 2 <= len(folded) <= 12:
            return self._similar_letters(folded, limit)
        found: list[str] = []
        full, _ = pinyin_keys(folded)
        found += [w for w in self.by_full.get(full, ()) if w != folded]
        if len(found) < limit:
            found += [w for w in self._one_char_away(folded) if w not in found]
        return tuple(found[:limit])

    def _one_char_away(self, word: str) -> list[str]:
        # Only words of the same length with one character changed: the usual Chinese typo is a
        # wrong character chosen from the input method's list, not a missing one.
        return [w for w in self.by_length.get(len(word), ()) if sum(a != b for a, b in zip(w, word)) == 1]

    def _similar_letters(self, word: str, limit: int) -> tuple[str, ...]:
        if not re.fullmatch(r"[a-z]{3,30}", word):
            return ()
        hits = [w for w in self.by_length.get(len(word), ()) if w.isascii() and sum(a != b for a, b in zip(w, word)) == 1]
        return tuple(hits[:limit])

    # ------------------------------------------------------------ storage

    def save(self, path: Path) -> None:
        Lexicon.save_entries(path, self.words)

    @staticmethod
    def save_entries(path: Path, words: Mapping[str, tuple[int, str, str]]) -> None:
        path.write_text(json.dumps({"words": words}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @staticmethod
    def load(path: Path) -> Lexicon:
        return Lexicon.of(Lexicon.entries(path))

    @staticmethod
    def entries(path: Path) -> dict[str, tuple[int, str, str]]:
        """The saved counts and pinyin alone, without the lookups (what an update starts from)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return {w: (int(e[0]), str(e[1]), str(e[2])) for w, e in data["words"].items()}
