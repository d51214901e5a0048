"""Check a translation made elsewhere (DeepL, an LLM, a colleague, last year's archive) against
what its source requires, with the very audit ``zhen translate`` runs on its own English.

Each source unit (a line of line-aligned text, or a document of the WMT 2025 jsonl form) is one
paragraph; its requirements (glossary terms of every layer, numbers and dates, personal names,
Latin tokens) are found by the pipeline's finder, and :func:`zhen.pipeline.postprocess` checks the
unit's English for each, with ``last_resort`` off: nothing is changed, everything is reported.
A requirement the English lacks is then looked for in another wording:

- ``equivalent``: an amount of the same value in another form ("1,115.6 billion" for "1.1156
  trillion"): right, but not the house style;
- ``different``: the term, date or number is there, written otherwise: a case-insensitive or
  reordered form of the term ("Monetary Authority of Hong Kong" for "Hong Kong Monetary
  Authority"), the date in the other order ("1 June"), or the same digits at another scale
  ("16.138 billion" for 1613.8亿 → "161.38 billion");
- ``missing``: nothing of it is there.

Glossary terms that a document renders more than one way are reported as inconsistent.

:func:`fix_texts` makes the smallest edits that make every requirement hold: a ``different`` or
``equivalent`` wording is replaced in place by the required one (capitalized at a sentence's
start), and only a ``missing`` one is inserted, as zhen's own last resort does, its unit flagged
for review. The fixed English is checked again by the same audit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .occurrences import find_words
from .release import Paragraph, Release

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:trillion|billion|million|thousand))?", re.I)
_SCALE = {"trillion": Decimal(10) ** 12, "billion": Decimal(10) ** 9, "million": Decimal(10) ** 6}
_SMALL_WORDS = {"of", "the", "and", "a", "an", "for", "in", "on", "to", "with", "at", "by"}


@dataclass
class Finding:
    """One requirement of one unit, and what the checked English does with it."""

    unit: int
    kind: str
    source: str
    target: str
    status: str  # placed, equivalent, different, missing, off
    seen: str | None = None  # the other wording, for ``equivalent`` and ``different``
    origin: str = ""
    start: int = 0  # where the source text of the requirement stands in the unit (as checked)
    end: int = 0


@dataclass
class CheckReport:
    units: int
    findings: list[Finding]
    inconsistent: list[dict] = field(default_factory=list)
    signature: dict | None = None
    #: each unit's (source, English) as checked: whitespace collapsed, offsets refer to these
    texts: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.status for f in self.findings))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ("missing", "different")]


def check_texts(pipeline, sources: list[str], translations: list[str], *, glossaries=None) -> CheckReport:
    """Audit ``translations[i]`` against ``sources[i]`` (see the module's docstring); the
    pipeline supplies the glossary layers and settings, and no model runs. ``glossaries[i]``,
    when given, is unit i's glossary in place of the pipeline's (a WMT document's dictionary)."""
    from .pipeline import postprocess

    if len(sources) != len(translations):
        raise ValueError(f"{len(sources)} source units but {len(translations)} translations")
    releases = [Release([Paragraph(0, "body", " ".join(src.split()))], format="text") for src in sources]
    findings: list[Finding] = []
    renderings: dict[str, Counter] = {}
    for unit, (release, english) in enumerate(zip(releases, translations), 1):
        glossary = glossaries[unit - 1] if glossaries is not None else None
        segmented = pipeline.segment(release, glossary=glossary, whole_paragraphs=True)
        english = " ".join(english.split())
        checked = postprocess(segmented, [english] * len(segmented.segments()), last_resort=False, method="draft")
        for hit in (h for s in checked.segments() for h in s.terms):
            status, seen = ("off", None) if hit.method == "off" else ("placed", None) if hit.found else \
                _other_wording(english, hit.kind, hit.target)
            findings.append(Finding(unit, hit.kind, hit.source, hit.target, status, seen, hit.origin,
                                    hit.start, hit.end))
            if hit.kind == "term" and status != "off":
                wording = seen or (hit.target if status == "placed" else "")
                renderings.setdefault(hit.source, Counter())[wording.lower()] += 1  # capitals are not a rendering
    inconsistent = [{"source": src, "renderings": {k or "(missing)": n for k, n in c.items()}}
                    for src, c in renderings.items() if len([k for k in c if k]) > 1]
    texts = [(r.paragraphs[0].text, " ".join(t.split())) for r, t in zip(releases, translations)]
    # what the check depended on: the requirements' settings, not a model's (none ran)
    signature = {k: v for k, v in pipeline.signature().items() if k not in ("segment_tokens", "last_resort")}
    signature.update(engine="check", model="none", revision="none")
    return CheckReport(len(sources), findings, inconsistent, signature, texts)


def _other_wording(english: str, kind: str, target: str) -> tuple[str, str | None]:
    if kind == "date":
        seen = _date_order(english, target)
        return ("different", seen) if seen else ("missing", None)
    if kind == "number":
        return _amount_wording(english, target)
    seen = _reworded(english, target)
    return ("different", seen) if seen else ("missing", None)


def _date_order(english: str, target: str) -> str | None:
    """The date in the other order: 1 June for June 1, 15 September 2023 for September 15, 2023."""
    m = re.fullmatch(r"([A-Z][a-z]+) (\d{1,2})(?:, (\d{4}))?", target)
    if not m:
        return None
    month, day, year = m.groups()
    found = re.search(rf"(?<!\d){day}(?:st|nd|rd|th)? {month}" + (rf",? {year}" if year else "") + r"\b", english)
    return found.group() if found else None


def _value(text: str) -> Decimal | None:
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)(?:\s*(trillion|billion|million))?", text, flags=re.I)
    if not m:
        return None
    value = Decimal(m.group(1).replace(",", ""))
    return value * _SCALE[m.group(2).lower()] if m.group(2) else value


def _amount_wording(english: str, target: str) -> tuple[str, str | None]:
    """An amount written otherwise: ``equivalent`` (the same value in another form: 1,115.6
    billion for 1.1156 trillion) or ``different`` (the same digits at another value: 16.138 billion
    for 161.38 billion). Only amounts with a decimal point or a scale word are compared: a bare
    12 is too common to be told from another 12."""
    if not re.search(r"\d\.\d|illion", target):
        return "missing", None
    want, digits = _value(target), _digits(target)
    own = _NUMBER.search(target)
    for m in _NUMBER.finditer(english):
        text = m.group().strip()
        if not re.search(r"\d\.\d|illion", text) or (own and text == own.group().strip()):
            continue  # the target's own form: another requirement's occurrence, not another wording
        if _value(text) == want:
            return "equivalent", text
        if _digits(text) == digits:
            return "different", text
    return "missing", None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", re.sub(r"(\.\d*?)0+\b", r"\1", text)).lstrip("0")


def _reworded(english: str, target: str) -> str | None:
    """``target`` in ``english`` in other case, or its content words in another order within a
    span about as long as the term (Monetary Authority of Hong Kong)."""
    for m in re.finditer(re.escape(target), english, flags=re.IGNORECASE):
        if not find_words(m.group(), target):  # not the very form (another requirement's occurrence)
            return m.group()
    content = [w.lower() for w in _WORD.findall(target) if w.lower() not in _SMALL_WORDS]
    if len(content) < 2:
        return None
    words = list(_WORD.finditer(english))
    width = len(_WORD.findall(target)) + 2
    for i in range(len(words)):
        window = words[i : i + width]
        lowered = [w.group().lower() for w in window]
        if lowered and lowered[0] in content and set(content) <= set(lowered):
            end = max(window[lowered.index(c)].end() for c in content)
            seen = english[window[0].start() : end]
            if not find_words(seen, target) and not re.search(r"[.;:!?]\s", seen):  # within one sentence
                return seen
    return None


@dataclass
class Edit:
    unit: int
    kind: str
    source: str
    before: str | None  # the wording replaced; ``None`` for an insertion
    after: str


@dataclass
class FixResult:
    english: list[str]
    edits: list[Edit]
    review: list[int]  # units with an insertion: a person should read them
    after: CheckReport  # the fixed English, checked again


def fix_texts(pipeline, report: CheckReport, *, glossaries=None) -> FixResult:
    """The English that ``report`` (from :func:`check_texts` with the same pipeline and
    glossaries) checked, with every finding repaired (see the module's docstring); units are
    returned one line each, whitespace collapsed as the check read them."""
    from .requirements import insert_last_resort
    from .release import TermHit

    sources = [zh for zh, _ in report.texts]
    english = [en for _, en in report.texts]
    edits: list[Edit] = []
    review: set[int] = set()
    for f in report.findings:
        i = f.unit - 1
        if f.status in ("different", "equivalent") and f.seen and f.seen in english[i]:
            at = english[i].index(f.seen)
            start_of_sentence = at == 0 or english[i][:at].rstrip()[-1:] in ".!?"
            wanted = f.target[:1].upper() + f.target[1:] if start_of_sentence else f.target
            start, end = _overlap(english[i], at, at + len(f.seen), wanted)
            before = english[i][start:end]
            english[i] = english[i][:start] + wanted + english[i][end:]
            edits.append(Edit(f.unit, f.kind, f.source, before, wanted))
        elif f.status == "missing":
            hit = TermHit(0, 0, f.source, f.target, [f.target], f.kind, f.origin)
            english[i] = insert_last_resort(english[i], hit)
            edits.append(Edit(f.unit, f.kind, f.source, None, f.target))
            review.add(f.unit)
    return FixResult(english, edits, sorted(review), check_texts(pipeline, sources, english, glossaries=glossaries))


_CSS = """body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.5em;vertical-align:top}mark.placed{background:#d9f2d9}
mark.different,mark.equivalent{background:#ffe8a8}mark.missing{background:#f7c6c6}
.sig{color:#666;font-size:.85em}ul{margin:.3em 0 0 1em;padding:0}"""


def render_html(report: CheckReport) -> str:
    """The check as a page: each unit's source and English side by side, every requirement marked
    in the source by its status (green placed, amber written otherwise, red missing) and the
    other wording marked in the English, with the list of findings under it."""
    from html import escape

    from .signature import format_signature

    def marked(text: str, spans: list[tuple[int, int, str]]) -> str:
        out, at = [], 0
        for a, b, status in sorted(spans):
            if a < at:
                continue
            out += [escape(text[at:a]), f'<mark class="{status}">{escape(text[a:b])}</mark>']
            at = b
        return "".join(out) + escape(text[at:])

    counts = report.counts()
    rows = []
    for unit, (zh, en) in enumerate(report.texts, 1):
        found = [f for f in report.findings if f.unit == unit and f.status != "off"]
        zh_spans = [(f.start, f.end, f.status) for f in found]
        en_spans = []
        for f in found:
            wording = f.seen if f.status in ("different", "equivalent") else f.target if f.status == "placed" else None
            at = en.find(wording) if wording else -1
            if at >= 0:
                en_spans.append((at, at + len(wording), f.status))
        notes = "".join(f"<li>{escape(f.status)} {escape(f.kind)}: {escape(f.source)} → {escape(f.target)}"
                        + (f" (written “{escape(f.seen)}”)" if f.seen else "") + "</li>"
                        for f in found if f.status != "placed")
        rows.append(f"<tr><td>{unit}</td><td>{marked(zh, zh_spans)}</td><td>{marked(en, en_spans)}"
                    + (f"<ul>{notes}</ul>" if notes else "") + "</td></tr>")
    inconsistent = "".join(f"<li>{escape(i['source'])}: " + "; ".join(f"{escape(k)} ×{n}" for k, n in
                                                                     i["renderings"].items()) + "</li>"
                           for i in report.inconsistent)
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("placed", "equivalent", "different", "missing"))
    sig = escape(format_signature(report.signature)) if report.signature else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>zhen check</title><style>{_CSS}</style>"
            f"</head><body><h1>zhen check</h1><p>{report.units} units: {summary}.</p>"
            + (f"<h2>Rendered more than one way</h2><ul>{inconsistent}</ul>" if inconsistent else "")
            + "<table><tr><th>#</th><th>中文</th><th>English</th></tr>" + "".join(rows) + "</table>"
            + f"<p class='sig'>zhen signature: <code>{sig}</code></p></body></html>\n")


def _overlap(text: str, start: int, end: int, wanted: str) -> tuple[int, int]:
    """The span to replace with ``wanted`` so that nothing is doubled: ``text[start:end]`` widened
    over what ``wanted`` already has around it in ``text`` (the "yuan" after "16.138 billion" when
    the required form is "161.38 billion yuan", the "HK$" before it), never cutting a word."""
    lowered, want = text.lower(), wanted.lower()
    for k in range(len(want) - 1, 0, -1):  # the longest tail of wanted that follows the span
        if want[-k - 1].isalnum() and want[-k].isalnum():
            continue
        tail, after = want[-k:].lstrip(), lowered[end:]
        rest = after.lstrip()
        if tail and rest.startswith(tail) and not rest[len(tail) : len(tail) + 1].isalnum():
            end += len(after) - len(rest) + len(tail)
            break
    for k in range(len(want) - 1, 0, -1):  # the longest head of wanted that comes before it
        if want[k - 1].isalnum() and want[k].isalnum():
            continue
        if lowered[:start].endswith(want[:k]) and (start == k or not lowered[start - k - 1].isalnum()):
            start -= k
            break
    return start, end
