"""Split Chinese paragraphs into sentences, and overlong sentences into clauses.

Two promises, both tested by property tests:

* **Nothing is lost.** Segments are spans that tile the paragraph exactly: every character,
  including a closing quote after 。 and a tail with no final punctuation (``…改革。”会议强调``),
  belongs to exactly one segment, and offsets point into the original text.
* **Nothing exceeds the model.** No segment measures more than ``limit`` (the engine's maximum source
  length, in the engine's own tokens); an overlong sentence is split at the strongest clause
  boundary nearest its middle (；, then ：, then ，, then 、, outside quotes before inside), and only a
  run of text with no boundary at all is cut at the limit.

A sentence ends at 。！？!?… outside any quote or bracket, or at a closing quote or parenthesis
that follows such a mark (``“……改革。”``). Book titles (《…》), quotes and brackets are matched in a first
pass, so an unmatched mark does not swallow the rest of the paragraph. A full stop between digits
(``1613.8``) or after an enumeration number (``1. ``) is not a sentence end.
"""

from __future__ import annotations

from typing import Callable, Iterable

Span = tuple[int, int]
Measure = Callable[[str], int]

_PAIRS = {"“": "”", "‘": "’", "《": "》", "〈": "〉", "（": "）", "(": ")", "【": "】", "「": "」",
          "『": "』", "[": "]", "{": "}", "〔": "〕"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_TERMINATORS = set("。！？!?…")
# Marks that close a quoted or bracketed sentence ("“……改革。”"); a book title never does.
_SENTENCE_CLOSERS = set("”’」』）)\"'")
_TRAILING = set("。！？!?…”’》〉）)】」』]}〕\"'")
# Clause boundaries for overlong sentences, strongest first.
_CLAUSE_LEVELS: tuple[frozenset[str], ...] = (
    frozenset("；;"),
    frozenset("：:"),
    frozenset("，,"),
    frozenset("、"),
)


def bracket_depth(text: str) -> list[int]:
    """Nesting depth at each character, counting only marks that are matched.

    The opening mark itself is at the outer depth, the closing mark at the inner one, so that a
    closing quote belongs with the sentence inside it.
    """
    stack: list[tuple[str, int]] = []
    pairs: list[Span] = []
    for i, ch in enumerate(text):
        if ch == '"':
            if stack and stack[-1][0] == '"':
                pairs.append((stack.pop()[1], i))
            else:
                stack.append((ch, i))
        elif ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    pairs.append((stack[k][1], i))
                    del stack[k:]  # openers left unclosed inside this pair are strays
                    break
    delta = [0] * (len(text) + 1)
    for start, end in pairs:
        delta[start + 1] += 1
        delta[end + 1] -= 1
    depth, level = [], 0
    for i in range(len(text)):
        level += delta[i]
        depth.append(level)
    return depth


def _is_terminator(text: str, i: int) -> bool:
    ch = text[i]
    if ch in _TERMINATORS:
        return True
    if ch == ".":
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        return (after == "" or after.isspace()) and before != "" and not before.isdigit()
    return False


def _extend_end(text: str, i: int) -> int:
    """Index just past a sentence end at ``i``: trailing marks, closers and whitespace join it."""
    j = i + 1
    while j < len(text) and text[j] in _TRAILING:
        j += 1
    while j < len(text) and text[j].isspace():
        j += 1
    return j


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans that tile ``text`` exactly (an empty text has none)."""
    depth = bracket_depth(text)
    spans: list[Span] = []
    start = i = 0
    while i < len(text):
        ends_here = _is_terminator(text, i) and depth[i] == 0
        closes_sentence = text[i] in _SENTENCE_CLOSERS and i > 0 and _is_terminator(text, i - 1) and (i + 1 >= len(text) or depth[i + 1] == 0)
        if ends_here or closes_sentence:
            end = _extend_end(text, i)
            spans.append((start, end))
            start = i = end
            continue
        i += 1
    if start < len(text):
        if spans and not text[start:].strip():
            spans[-1] = (spans[-1][0], len(text))
        else:
            spans.append((start, len(text)))
    return spans


def _candidates(text: str, depth: list[int], start: int, end: int) -> Iterable[list[int]]:
    """Split points inside ``text[start:end]``, one list per strength, strongest first."""
    inside_sentence_ends = [
        i + 1 for i in range(start, end - 1) if _is_terminator(text, i) and depth[i] > 0
    ]
    yield inside_sentence_ends
    for level in _CLAUSE_LEVELS:
        points = [i + 1 for i in range(start, end - 1) if text[i] in level and not thousands_comma(text, i)]
        yield [p for p in points if depth[p - 1] == 0]
        yield points
    yield [i + 1 for i in range(start, end - 1) if text[i].isspace()]


def thousands_comma(text: str, i: int) -> bool:
    """Whether ``text[i]`` is the comma of a number's thousands (1,000), not a clause's."""
    return text[i] == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _hard_cut(text: str, start: int, end: int, measure: Measure, limit: int) -> int:
    """The largest cut point whose prefix fits ``limit`` (at least one character)."""
    lo, hi = start + 1, end - 1
    best = start + 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if measure(text[start:mid]) <= limit:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    # Prefer not to cut inside a number.
    cut = best
    while cut > start + 1 and text[cut - 1].isdigit() and text[cut].isdigit():
        cut -= 1
    return cut if cut > start + 1 else best


def split_overlong(text: str, span: Span, measure: Measure, limit: int,
                   depth: list[int] | None = None, *, by_offsets: bool = False) -> list[Span]:
    """Split ``span`` until every piece measures at most ``limit``. ``measure`` takes a piece's
    text, or with ``by_offsets`` its start and end in ``text`` (for a measure that knows where
    things stand in the whole text)."""
    start, end = span
    size = measure(start, end) if by_offsets else measure(text[start:end])
    if size <= limit or end - start <= 1:
        return [span]
    depth = depth if depth is not None else bracket_depth(text)
    middle = (start + end) / 2
    for points in _candidates(text, depth, start, end):
        if points:
            cut = min(points, key=lambda p: (abs(p - middle), p))
            break
    else:
        cut = _hard_cut(text, start, end, (lambda piece: measure(start, start + len(piece))) if by_offsets
                        else measure, limit)
    return split_overlong(text, (start, cut), measure, limit, depth, by_offsets=by_offsets) + split_overlong(
        text, (cut, end), measure, limit, depth, by_offsets=by_offsets
    )


def segment_text(text: str, *, limit: int | None = None, measure: Measure = len) -> list[Span]:
    """Sentence spans of ``text``, with overlong sentences split so each fits ``limit``."""
    spans = sentence_spans(text)
    if limit is None:
        return spans
    if limit < 1:
        raise ValueError("limit must be at least 1")
    depth = bracket_depth(text)
    out: list[Span] = []
    for span in spans:
        out.extend(split_overlong(text, span, measure, limit, depth))
    return out
