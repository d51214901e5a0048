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

With ``ignore_case`` (``--ignore-case``) a term written in other capitals counts as placed, as the
WMT 2025 task counts it (its dictionaries are not always in publishing case), and is left alone by
the fix; the report's signature says ``case: ignored``.

Glossary terms that a document renders more than one way are reported as inconsistent, and units
with no English (empty, or the source copied into the target) as untranslated.

:func:`fix_texts` makes the smallest edits that make every requirement hold: a ``different`` or
``equivalent`` wording is replaced in place by the required one (capitalized at a sentence's
start), and only a ``missing`` one is inserted, as zhen's own last resort does, its unit flagged
for review. An untranslated unit is left to be translated: terms inserted into nothing make no
English; with a model (``zhen fix --model``) it is translated, as is a sentence the English left
out (:func:`fill_texts`). The fixed English is checked again by the same audit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .normalize import normalize_release
from .numbers import currency
from .occurrences import FUNCTION_WORDS, claim, find_words
from .release import Paragraph, Release

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:hundred million|trillion|billion|million|thousand))?", re.I)
_SCALE = {"trillion": Decimal(10) ** 12, "billion": Decimal(10) ** 9, "hundred million": Decimal(10) ** 8,
          "million": Decimal(10) ** 6}


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

    @property
    def held(self) -> bool:
        """An entry inside a longer term's rendering, checked because that rendering is missing
        (``--nested-terms``): the longer term's fix writes it."""
        return self.origin.endswith("(held)")


@dataclass
class CheckReport:
    units: int
    findings: list[Finding]
    inconsistent: list[dict] = field(default_factory=list)
    signature: dict | None = None
    #: each unit's (source, English) as checked: whitespace collapsed, offsets refer to these
    texts: list[tuple[str, str]] = field(default_factory=list)
    #: how each unit is named to a person (``document:paragraph`` in a jsonl file), else its number
    labels: list[str] | None = None
    #: the English as given, of each unit that holds line breaks (paragraphs a translator split): the
    #: fix puts them back around its edits
    layouts: dict[int, str] = field(default_factory=dict)
    #: units with a source and no English (empty, or the source copied): their requirements are all
    #: missing, and the fix leaves them to be translated, inserting nothing
    untranslated: list[int] = field(default_factory=list)
    #: sentences of translated units that the English leaves out, as (unit, start, end) in the unit's
    #: source as checked: paired with no English sentence (or, holding a number or date, with one that
    #: holds only its neighbour's), and none of their requirements anywhere in the English. The fix
    #: inserts nothing of theirs (a figure of a missing sentence put at the end of another would say
    #: something the source does not)
    unpaired: list[tuple[int, int, int]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.status for f in self.findings))

    def tally(self) -> str:
        """The counts as every front door says them: "149 placed, 1 equivalent, 17 different, 30 missing"."""
        counts = self.counts()
        return ", ".join(f"{counts.get(k, 0)} {k}" for k in ("placed", "equivalent", "different", "missing"))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ("missing", "different")]

    def label(self, unit: int) -> str:
        """How ``unit`` is named to a person: its label (``document:paragraph``, ``¶2``), else its number."""
        return self.labels[unit - 1] if self.labels else str(unit)

    def left_out(self, unit_word: str = "unit") -> str:
        """What the translation left out, as every front door says it ("2 units have no English: 2,
        3; 1 sentence is left out, in unit 1"; a unit named by its label); empty where nothing is."""
        def named(units: list[int]) -> str:
            shown = [self.label(u) for u in units[:20]]
            return ", ".join(shown) + (f" and {len(units) - 20} more" if len(units) > 20 else "")

        said = []
        if self.untranslated:
            n = len(self.untranslated)
            said.append(f"{n} {unit_word}{' has' if n == 1 else 's have'} no English: {named(self.untranslated)}")
        if self.unpaired:
            n, units = len(self.unpaired), sorted({u for u, _, _ in self.unpaired})
            said.append(f"{n} sentence{' is' if n == 1 else 's are'} left out, in {unit_word}"
                        f"{'' if len(units) == 1 else 's'} {named(units)}")
        return "; ".join(said)

    def sentence_beads(self, unit: int) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """The sentences of ``unit``'s source and English paired (:func:`zhen.align.sentence_beads`,
        the requirements the English has placed as anchors), made once for the check's reading of
        what was left out and the fix's edits (kept off the report's fields: its JSON does not carry
        them)."""
        from .align import sentence_beads

        if "_anchors" not in self.__dict__:  # the requirements the English has, by unit
            self._anchors: dict[int, list[tuple[int, str]]] = {}
            for f in self.findings:
                if f.status == "placed" and f.end > f.start:
                    self._anchors.setdefault(f.unit, []).append((f.start, f.target))
            self._beads: dict[int, list] = {}
        if unit not in self._beads:
            self._beads[unit] = sentence_beads(*self.texts[unit - 1], self._anchors.get(unit, []))
        return self._beads[unit]


def check_texts(pipeline, sources: list[str], translations: list[str], *, glossaries=None,
                ignore_case: bool = False) -> CheckReport:
    """Audit ``translations[i]`` against ``sources[i]`` (see the module's docstring); the
    pipeline supplies the glossary layers and settings, and no model runs. ``glossaries[i]``,
    when given, is unit i's glossary in place of the pipeline's (a WMT document's dictionary).
    ``ignore_case``: a term in other capitals is placed (its wording kept in ``seen``)."""
    from .pipeline import postprocess

    if len(sources) != len(translations):
        raise ValueError(f"{len(sources)} source units but {len(translations)} translations")
    releases = [normalize_release(Release([Paragraph(0, "body", " ".join(src.split()))], format="text"))
                for src in sources]
    findings: list[Finding] = []
    renderings: dict[str, Counter] = {}
    for unit, (release, english) in enumerate(zip(releases, translations), 1):
        glossary = glossaries[unit - 1] if glossaries is not None else None
        segmented = pipeline.segment(release, glossary=glossary, whole_paragraphs=True)
        english = " ".join(english.split())
        checked = postprocess(segmented, [english] * len(segmented.segments()), last_resort=False, method="draft")
        hits = [h for s in checked.segments() for h in s.terms]
        amounts = {h.target for h in hits if h.kind == "number"}
        placed = {h.target.lower() for h in hits if h.kind == "term" and h.found}  # their English is theirs
        for hit in hits:
            status, seen = ("off", None) if hit.method == "off" else ("placed", None) if hit.found else \
                _other_wording(english, hit.kind, hit.target,
                               amounts - {hit.target} if hit.kind == "number" else placed, ignore_case)
            findings.append(Finding(unit, hit.kind, hit.source, hit.target, status, seen, hit.origin,
                                    hit.start, hit.end))
            if hit.kind == "term" and status != "off":
                wording = seen or (hit.target if status == "placed" else "")
                renderings.setdefault(hit.source, Counter())[wording.lower()] += 1  # capitals are not a rendering
        if pipeline.nested_terms:
            covered = pipeline.finder(release, glossary).covered(release.paragraphs[0].text)
            findings += _held(unit, release.paragraphs[0].text, english, hits, covered, ignore_case)
    inconsistent = [{"source": src, "renderings": {k or "(missing)": n for k, n in c.items()}}
                    for src, c in renderings.items() if len([k for k in c if k]) > 1]
    texts = [(r.paragraphs[0].text, " ".join(t.split())) for r, t in zip(releases, translations)]
    # what the check depended on: the requirements' settings, not a model's (none ran)
    signature = {k: v for k, v in pipeline.signature().items() if k not in ("segment_tokens", "last_resort")}
    signature.update(engine="check", model="none", revision="none", **({"case": "ignored"} if ignore_case else {}))
    layouts = {unit: t for unit, t in enumerate(translations, 1) if "\n" in t.strip()}
    untranslated = [unit for unit, (zh, en) in enumerate(texts, 1) if zh and not_translated(en)]
    report = CheckReport(len(sources), findings, inconsistent, signature, texts, layouts=layouts,
                         untranslated=untranslated)
    report.unpaired = _unpaired(report)
    return report


def _unpaired(report: CheckReport) -> list[tuple[int, int, int]]:
    """The sentences a translation left out (:attr:`CheckReport.unpaired`): of a translated unit,
    a sentence none of whose requirements is in the English (:func:`_in_english`), that the English
    pairs with nothing, or pairs with a sentence beside it whose requirements are there while it has
    a number or a date of its own (an English sentence that holds the one and none of the other: a
    translation keeps a sentence's figures and dates)."""
    by_unit: dict[int, list[Finding]] = {}
    for f in report.findings:
        if f.status != "off" and f.end > f.start:
            by_unit.setdefault(f.unit, []).append(f)
    out = []
    for unit, found in sorted(by_unit.items()):
        if unit in report.untranslated or all(f.status == "placed" for f in found):
            continue
        for sentences, english in report.sentence_beads(unit):
            inside = [[f for f in found if a <= f.start and f.end <= b] for a, b in sentences]
            for (start, end), own in zip(sentences, inside):
                if not own or any(_in_english(f) for f in own):
                    continue
                others = [f for group in inside if group is not own for f in group]
                if not english or (any(f.kind in ("number", "date") for f in own)
                                   and any(_in_english(f) for f in others)):
                    out.append((unit, start, end))
    return out


def _in_english(f: Finding) -> bool:
    """Whether the English has this requirement's own occurrence, in any wording: a term's other
    wording is the unit's, not the occurrence's (two 金管局, one "Monetary Authority of Hong Kong")."""
    return f.status in ("placed", "equivalent") or (f.status == "different" and f.kind != "term")


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def not_translated(english: str) -> bool:
    """Whether ``english`` translates nothing: no letter or digit, or mostly Chinese (a CAT tool's
    copy of the source into the target)."""
    if not re.search(r"[A-Za-z0-9]", english):
        return True
    return len(_HAN.findall(english)) > len(re.sub(r"\s", "", english)) / 2


def _held(unit: int, text: str, english: str, hits, covered, ignore_case: bool) -> list[Finding]:
    """With nested terms, an entry inside a longer one whose rendering holds its own (认可机构 in
    本地注册认可机构 → "locally incorporated authorized institutions": ``covered``, from
    :meth:`zhen.requirements.RequirementFinder.covered`) needs no place of its own while that
    rendering is placed. Where the English renders the longer term otherwise, the entry is checked on
    its own ("AIs" may still be there): a finding of origin ``… (held)``, which the fix leaves to the
    longer term's edit."""
    terms = [h for h in hits if h.kind == "term" and h.method != "off"]
    out = []
    for m in covered:
        holders = [h for h in terms if h.start < m.end and m.start < h.end]
        if not holders or all(h.found for h in holders):
            continue
        if any(find_words(english, t) for t in m.term.targets):
            status, seen = "placed", None
        else:
            status, seen = _other_wording(english, "term", m.term.target, ignore_case=ignore_case)
        out.append(Finding(unit, "term", text[m.start:m.end], m.term.target, status, seen,
                           m.term.origin + " (held)", m.start, m.end))
    return out


def _other_wording(english: str, kind: str, target: str, others: set[str] = frozenset(),
                   ignore_case: bool = False) -> tuple[str, str | None]:
    """A requirement the English lacks, looked for in another wording (see the module's docstring);
    with ``ignore_case`` a term in other capitals is placed, its wording kept. ``others``: the other
    amounts the unit requires (a number), or the placed terms' English (a term: not its wording)."""
    if kind == "date":
        seen = _date_order(english, target)
        return ("different", seen) if seen else ("missing", None)
    if kind == "number":
        return _amount_wording(english, target, others)
    seen = _reworded(english, target, others if kind == "term" else frozenset())
    if seen and kind == "term" and seen.lower() == target.lower() and (ignore_case or _in_title(english, seen, target)):
        return "placed", seen
    return ("different", seen) if seen else ("missing", None)


#: words a title leaves in lower case ("Sub-forum on Climate Trade and Green Value Chain Partnership")
_TITLE_SMALL = FUNCTION_WORDS | {"or"}


def _in_title(english: str, seen: str, target: str) -> bool:
    """Whether ``seen``, a lower-case term's words capitalized ("Green Value Chain" for "green value
    chain"), stands in a title-case name, where its capitals are the name's, not a wording to
    correct: the word after it capitalized ("… Green Value Chain Partnership of …"), or the one
    before it (not a sentence's first word, an acronym or a possessive), or nothing else in its clause
    (a heading)."""
    pairs = list(zip(_WORD.findall(seen), _WORD.findall(target)))
    if not all(a == b or (b.islower() and a == b[:1].upper() + b[1:]) for a, b in pairs):
        return False  # capitals taken away ("hong kong"), or another word order: a wording to correct
    clause = r"[,.;:!?()“”\"]"
    for m in re.finditer(re.escape(seen), english):
        before = re.split(clause, english[:m.start()])[-1]
        after = re.split(clause, english[m.end():])[0]
        left = [w for w in _WORD.findall(before) if w.lower() not in _TITLE_SMALL]
        right = [w for w in _WORD.findall(after) if w.lower() not in _TITLE_SMALL]
        if not left and not right:
            return True
        if right and right[0][:1].isupper():
            return True
        first = re.split(r"[.!?]\s", english[:m.start()])[-1].strip()
        if left and left[-1][:1].isupper() and not left[-1].isupper() and not re.search(r"['’]s?$", left[-1]) \
                and not first.startswith(left[-1]):
            return True
    return False


def _date_order(english: str, target: str) -> str | None:
    """The date in the other order: 1 June for June 1, 15 September 2023 for September 15, 2023."""
    m = re.fullmatch(r"([A-Z][a-z]+) (\d{1,2})(?:, (\d{4}))?", target)
    if not m:
        return None
    month, day, year = m.groups()
    found = re.search(rf"(?<!\d){day}(?:st|nd|rd|th)? {month}" + (rf",? {year}" if year else "") + r"\b", english)
    return found.group() if found else None


def _value(text: str) -> Decimal | None:
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)(?:\s*(hundred million|trillion|billion|million))?", text, flags=re.I)
    if not m:
        return None
    value = Decimal(m.group(1).replace(",", ""))
    return value * _SCALE[m.group(2).lower()] if m.group(2) else value


def _amount_wording(english: str, target: str, others: set[str] = frozenset()) -> tuple[str, str | None]:
    """An amount written otherwise: ``equivalent`` (the same value in another form: 1,115.6
    billion for 1.1156 trillion) or ``different`` (the same significant digits at another value:
    16.138 billion for 161.38 billion, 180 billion for 18 billion: 亿 read as a hundred million).
    Only amounts with a decimal point or a scale word are compared: a bare 12 is too common to be
    told from another 12; an amount another requirement of the unit asks for (``others``) is that
    one's, never this one's other wording."""
    if not re.search(r"\d\.\d|illion", target):
        return "missing", None
    want, digits = _value(target), _digits(target)
    own = _NUMBER.search(target)
    taken = {_value(t) for t in others} - {None}
    for m in _NUMBER.finditer(english):
        text = m.group().strip()
        if not re.search(r"\d\.\d|illion", text) or (own and text == own.group().strip()):
            continue  # the target's own form: another requirement's occurrence, not another wording
        value = _value(text)
        if value == want:
            return "equivalent", text
        if _digits(text) == digits and value not in taken:
            return "different", text
    return "missing", None


def _amount_in_place(text: str, at: int, target: str) -> str:
    """What replaces an amount's other wording at ``text[at:]``: the required amount, or only its
    number where the translator's currency stands before it ("RMB 180 billion" → "RMB 18 billion",
    not "RMB 18 billion yuan")."""
    core = _NUMBER.search(target)
    if core and re.search(r"(?:\bRMB|\bCNY|\$|€)\s?$", text[:at]):
        return core.group().strip()
    return target


def _digits(text: str) -> str:
    """The significant digits of the first number in ``text``: 161.38, 16.138 and 1,613.8 → 16138;
    180 and 18 → 18 (a scale read wrong moves the point, it changes no digit)."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return re.sub(r"\D", "", m.group()).strip("0") if m else ""


def _reworded(english: str, target: str, placed: set[str] = frozenset()) -> str | None:
    """``target`` in ``english`` in other case, an acronym written out (:func:`_spelled_out`, a
    plural one in the plural; not where that is a placed term's English, in ``placed``), or its
    content words in another order within a span about as long as the term (Monetary Authority
    of Hong Kong)."""
    for m in re.finditer(re.escape(target), english, flags=re.IGNORECASE):
        if not find_words(m.group(), target):  # not the very form (another requirement's occurrence)
            return m.group()
    acronym = _ACRONYM.fullmatch(target)  # a plural one written out in the plural: AIs, "Authorized Institutions"
    if acronym and (spelled := _spelled_out(english, acronym.group(1))) and spelled.lower() not in placed \
            and (acronym.group(1) == target or spelled.endswith("s")):
        return spelled
    content = [w.lower() for w in _WORD.findall(target) if w.lower() not in FUNCTION_WORDS]
    if len(content) < 2:
        return None
    words = list(_WORD.finditer(english))
    width = len(_WORD.findall(target)) + 2
    for i in range(len(words)):
        window = words[i : i + width]
        lowered = [w.group().lower() for w in window]
        if lowered and lowered[0] in content and set(content) <= set(lowered):
            last = max(lowered.index(c) for c in content)
            if set(lowered[: last + 1]) - set(content) - FUNCTION_WORDS:
                continue  # another word inside: "green supply chain development" is not "green development"
            seen = english[window[0].start() : window[last].end()]
            if not find_words(seen, target) and not re.search(r"[.;:!?]\s", seen):  # within one sentence
                return seen
    return None


def _spelled_out(english: str, acronym: str) -> str | None:
    """The name an acronym stands for, written out in ``english`` ("Hong Kong Monetary Authority"
    for HKMA, "Securities and Futures Commission" for SFC): capitalized words whose initials (each
    part of a hyphenated word, "Real-Time Gross Settlement") spell it, small words allowed between
    them, no capitalized word glued on either side (a longer name: "… Corporation Limited")."""
    words = list(re.finditer(r"[A-Za-z][\w'’-]*", english))
    for i, first in enumerate(words):
        if not first.group()[0].isupper() or first.group().lower() in _TITLE_SMALL:
            continue
        if i and words[i - 1].group()[0].isupper() and words[i - 1].group().lower() not in _TITLE_SMALL \
                and not re.search(r"[,.;:!?()]", english[words[i - 1].end():first.start()]):
            continue
        letters, j = "", i
        while j < len(words) and len(letters) < len(acronym):
            word = words[j].group()
            if j > i and re.search(r"[,.;:!?()]", english[words[j - 1].end():words[j].start()]):
                break
            if word.lower() in _TITLE_SMALL and j > i:
                j += 1
                continue
            if not word[0].isupper():
                break
            letters += "".join(part[0] for part in word.split("-") if part)
            j += 1
        nxt = words[j].group() if j < len(words) else ""
        glued = nxt[:1].isupper() and nxt.lower() not in _TITLE_SMALL and not re.search(
            r"[,.;:!?()]", english[words[j - 1].end():words[j].start()])
        if letters == acronym and not glued:
            return english[first.start():words[j - 1].end()]
    return None


@dataclass
class Edit:
    unit: int
    kind: str
    source: str
    before: str | None  # the wording replaced; ``None`` for an insertion
    after: str
    #: ``aligned`` (the words aligned to the source term), ``reworded`` (the term in another case or
    #: word order, or, where nothing aligns, words of its sentence that begin and end as it does),
    #: ``number`` / ``date`` (a value rewritten in place), ``inserted`` (nothing to replace),
    #: ``translated`` (a unit with no English, or a sentence the draft left out, translated by the
    #: model: ``kind`` is ``unit`` or ``sentence``); ``kept`` (:attr:`FixResult.kept`: nothing
    #: changed, the English left for a person, ``at`` where its sentence has the required form)
    method: str = "inserted"
    at: int = 0  # where ``after`` starts in the fixed English of the unit
    why: str = ""  # for an insertion: why nothing was replaced
    #: for an insertion, why in a word: ``taken`` (the aligned words hold another requirement's English
    #: or another edit), ``none`` (nothing aligns), ``doubtful`` (one direction, no word in common),
    #: ``partial`` (too few or too many words, or across a sentence), else the kind (number, date, …);
    #: for a ``kept`` one, ``merged`` (its sentence's English has the required form already, or the
    #: words aligned to it are the required form, another mention's: one English for two) or
    #: ``inside`` (its words are part of a longer term whose English stands for them: ``within``);
    #: for a ``reworded`` edit the fix found, with nothing aligned: ``similar`` (words of the term's
    #: sentence that begin and end as the required form does), ``currency`` (an amount's currency,
    #: written with its symbol, written as the glossary has it: "HK$1.9 billion" → "HKD 1.9
    #: billion" for 港元 of 19億港元); for an ``aligned`` edit, ``attention`` where the model's
    #: attention aligned the words (``zhen fix --model``), ``scattered`` where the words were a run
    #: picked out of links scattered over the unit (they hold most of the required form's words;
    #: the unit is flagged for review)
    reason: str = ""
    #: for a ``kept`` one ``inside`` a longer term: that term's required English, standing at ``at``
    within: str | None = None

    def note(self) -> str:
        """The edit in a sentence for a reviewer (an XLIFF note, a line in the DOCX)."""
        if self.method == "translated":
            return (f"zhen fix translated the {self.kind} the draft has no English for ({self.source}): "
                    f"“{self.after}”; read it")
        if self.method == "kept":
            return f"zhen fix left {self.source} ({self.kind}) as it is: {self.why}; read it"
        if self.before is None:
            return (f"zhen fix inserted “{self.after}” for {self.source} ({self.kind}): {self.why}; "
                    "check where it stands")
        if self.reason == "scattered":
            return (f"zhen fix ({self.method}): “{self.before}” → “{self.after}” for {self.source}: the words "
                    "aligned to it were scattered over the unit; read the sentence")
        return f"zhen fix ({self.method}): “{self.before}” → “{self.after}” for {self.source}"


@dataclass
class FixResult:
    english: list[str]
    edits: list[Edit]
    review: list[int]  # units with an insertion or a scattered alignment's edit: a person should read them
    after: CheckReport  # the fixed English, checked again
    #: where a model ran (translating what the draft left out, or aligning by its attention): the
    #: pipeline's signature, and the aligners (``statistical``, ``attention``, or the one then the
    #: other: ``statistical+attention``); else ``None``
    signature: dict | None = None
    #: requirements the fix left as they are: one the English of its sentence has already, named
    #: once for two mentions (人民幣…人民幣 → "the renminbi exchange rate and offshore business"),
    #: where inserting it again would double it (its unit is in ``review``: a person reads it); and,
    #: where nested terms are required (``--nested-terms``), one whose words are part of a longer
    #: term whose English stands for them (按揭證券 in 香港按揭證券公司 → "Hong Kong Mortgage
    #: Corporation"), where inserting "(mortgage-backed securities)" would translate them twice
    kept: list[Edit] = field(default_factory=list)

    def methods(self) -> dict[str, int]:
        return dict(Counter(e.method for e in self.edits))

    def kept_reason(self) -> str:
        """Why requirements were left as they are, in words, for the summary lines."""
        reasons = Counter(e.reason for e in self.kept)
        said = {"merged": "named once in a sentence where the source names {them} more than once",
                "inside": "part of a longer term whose English stands for {them}"}
        parts = [(f"{n} " if len(reasons) > 1 else "each ") + said[r].format(them="it" if n == 1 and len(reasons) > 1 else "them")
                 for r, n in sorted(reasons.items()) if r in said]
        # a merged mention's sentence is for a person to read; a term inside a longer one is not
        return "; ".join(parts) + (": read them" if reasons["merged"] else "")

    def outcome(self) -> str:
        """What the fixed English lacks still, as the summary lines say it: "every requirement now
        placed", "every requirement placed but the 2 left as they are", "3 still not placed"."""
        left, kept = len(self.after.problems), len(self.kept)
        if not left:
            return "every requirement now placed"
        if left == kept:
            return f"every requirement placed but the {'one' if kept == 1 else kept} left as {'it is' if kept == 1 else 'they are'}"
        return f"{left} still not placed" + (f" ({kept} of them left as they are)" if kept else "")

    def tally(self) -> str:
        """The edits by method, only those made: "11 aligned, 14 reworded, 2 number, 21 inserted"."""
        methods = self.methods()
        return ", ".join(f"{methods[k]} {k}" for k in ("translated", "aligned", "reworded", "number", "date", "inserted")
                         if k in methods)


_EDGE_WORDS = FUNCTION_WORDS | {"from", "between", "under", "'s", "’s", "its", "their", "his", "her"}


def fix_texts(pipeline, report: CheckReport, *, glossaries=None, priors=None, translate=False,
              attention=None, aligner: str = "auto", progress=None) -> FixResult:
    """The English that ``report`` (from :func:`check_texts` with the same pipeline and
    glossaries) checked, with every finding repaired (see the module's docstring); units are
    returned one line each, whitespace collapsed as the check read them.

    With ``translate`` (``True``: the pipeline's model, which must have one; or a function
    ``(Chinese texts, their glossaries or None) -> their English``: the demo's shared engine), what
    the English left out, units with no English and sentences left out, is first translated
    (:func:`fill_texts`), checked again, and the rest repaired as below; the translated units are
    flagged for review (``progress(n)`` is told the segments translated). Without it, a unit with no
    English (``report.untranslated``) is left as it is: it needs translating. Then:

    A wording found by the check is replaced in place; a term the check found nowhere is looked
    for by word alignment (:mod:`zhen.align`: the statistical aligner, with ``priors`` when given;
    with ``attention``, what reads a translation model's cross-attention
    (:func:`zhen.engines.attention_reader`), also the model's own where the statistical one gives
    nothing usable, or the model's alone with ``aligner="attention"``, the statistical alone with
    ``"statistical"``) and the English words aligned to it are replaced; only what aligns to nothing
    usable is inserted, its unit flagged."""
    filled: list[Edit] = []
    tried: set[tuple[int, str]] = set()  # (unit, source) given to the model: never twice
    for _ in range(3 if translate else 0):  # a sentence put back can show that its neighbour was left out too
        if not (report.untranslated or report.unpaired):
            break
        english, more = fill_texts(pipeline, report, glossaries=glossaries, translate=None if translate is True
                                   else translate, done=tried, progress=progress)
        if not more:
            break
        filled += more
        for unit, given in report.layouts.items():
            if unit not in report.untranslated:
                english[unit - 1] = restore_breaks(given, english[unit - 1])
        report = check_texts(pipeline, [zh for zh, _ in report.texts], english, glossaries=glossaries,
                             ignore_case=report.signature.get("case") == "ignored")
    used = "statistical" if attention is None or aligner == "statistical" else \
        "attention" if aligner == "attention" else "statistical+attention"
    result = _repair(pipeline, report, glossaries, priors, attention, used)
    if filled or attention is not None:  # a model ran: its signature, and how the words were aligned
        result.signature = {**pipeline.signature(), "aligner": used}
    if filled:
        for edit in filled:  # the repair's edits before it moved it
            at = result.english[edit.unit - 1].find(edit.after)
            edit.at = at if at >= 0 else edit.at
        result.edits = sorted(result.edits + filled, key=lambda e: (e.unit, e.at))
        result.review = sorted(set(result.review) | {e.unit for e in filled})
    return result


def fill_texts(pipeline, report: CheckReport, *, glossaries=None, translate=None,
               done: set[tuple[int, str]] | None = None, progress=None) -> tuple[list[str], list[Edit]]:
    """The English that ``report`` checked, with what it left out translated by the pipeline's
    model as ``zhen translate`` translates (decoding steered to every requirement, the English
    audited): a unit with no English (:attr:`CheckReport.untranslated`) gets the translation of its
    source, a sentence left out (:attr:`CheckReport.unpaired`) the translation of the sentence, put
    beside the English of its neighbours (after the sentence before it, else before the one after
    it). Each is an :class:`Edit` of method ``translated``; a model that gives nothing leaves its
    place as it was. Units are returned one line each, as checked. ``translate(texts, glossaries)``,
    when given, translates in place of :meth:`zhen.pipeline.Pipeline.translate_texts` (which tells
    ``progress`` the segments done); a (unit, source) in ``done`` was given to the model before and
    is not again, and what is given now is added to it."""
    from .pipeline import english_lines

    english = [en for _, en in report.texts]
    done = set() if done is None else done
    asked = [(u, a, report.texts[u - 1][0][a:b].strip())
             for u, a, b in [(u, 0, len(report.texts[u - 1][0])) for u in report.untranslated] + report.unpaired]
    asked = [(u, a, zh) for u, a, zh in asked if (u, zh) not in done]
    if not asked:
        return english, []
    sources = [zh for _, _, zh in asked]
    done.update((u, zh) for u, _, zh in asked)
    chosen = None if glossaries is None else [glossaries[u - 1] or pipeline.glossary for u, _, _ in asked]
    if translate is None:
        made = [" ".join(english_lines(r)) for r in pipeline.translate_texts(sources, glossaries=chosen,
                                                                               progress=progress)]
    else:
        made = translate(sources, chosen)
    made = [" ".join(en.split()) for en in made]
    edits: list[Edit] = []
    places: dict[int, list[tuple[int, int, str, str]]] = {}  # unit: (where in its English, source start, zh, en)
    for (unit, start, zh), en in zip(asked, made):
        if not en:
            continue
        if unit in report.untranslated:
            english[unit - 1] = en
            edits.append(Edit(unit, "unit", zh, report.texts[unit - 1][1] or None, en, "translated", 0,
                              "the draft has no English for it"))
        else:
            places.setdefault(unit, []).append((_sentence_place(report, unit, start), start, zh, en))
    for unit, wanted in places.items():
        text = english[unit - 1]
        for at, _, _, en in sorted(wanted, reverse=True):  # from the end: earlier places stay where they were
            text = " ".join(part for part in (text[:at].rstrip(), en, text[at:].lstrip()) if part)
        found = 0
        for _, _, zh, en in sorted(wanted, key=lambda w: w[1]):
            found = text.find(en, found)
            edits.append(Edit(unit, "sentence", zh, None, en, "translated", found,
                              "the draft leaves this sentence out"))
            found += len(en)
        english[unit - 1] = text
    return english, edits


def _sentence_place(report: CheckReport, unit: int, start: int) -> int:
    """Where the English of the source sentence at ``start``, which the English of ``unit`` left
    out, goes: after the English of the sentences before it, else before that of the ones after it
    (where the sentence was paired with a neighbour's English, on the side it stands of it)."""
    pairs = report.sentence_beads(unit)
    k = _bead_index(pairs, start)
    k = len(pairs) if k is None else k
    zh, en = pairs[k] if k < len(pairs) else ([], [])
    if en:
        return en[0][0] if all(start <= a for a, _ in zh) else en[-1][1]
    before = [e for _, e in pairs[:k] if e]
    if before:
        return before[-1][-1][1]
    after = [e for _, e in pairs[k + 1:] if e]
    return after[0][0][0] if after else len(report.texts[unit - 1][1])


def _repair(pipeline, report: CheckReport, glossaries, priors, attention=None,
            aligners: str = "statistical") -> FixResult:
    """:func:`fix_texts` without translation: every finding of ``report`` repaired in place, the
    words aligned by ``aligners`` (:attr:`FixResult.signature`'s: ``statistical``, ``attention``
    (``attention`` reads it), or the one, then the other where it gives nothing usable)."""
    sources = [zh for zh, _ in report.texts]
    english = [en for _, en in report.texts]
    by_unit: dict[int, list[Finding]] = {}
    for f in report.findings:
        by_unit.setdefault(f.unit, []).append(f)
    # the alignments tried, in turn: the statistical aligner's, then the model's attention where it
    # gives nothing usable (read for a unit only then: forcing a draft through a model costs); or
    # one of them alone
    # the entries of the glossaries the check used teach the statistical aligner: the unit's own,
    # or the pipeline's (shipped, the user's) where it has none
    taught = [pipeline.glossary if g is None else g for g in glossaries] if glossaries else [pipeline.glossary]
    statistical = {} if aligners == "attention" else _aligned_spans(report, taught, priors)
    attended = _aligned_spans(report, glossaries, None, attention) if aligners == "attention" else {}
    read: set[int] = set()

    def aligned(unit: int, same: list[Finding]):
        """(aligner, alignment, finding) of the findings ``same`` in ``unit``, the statistical aligner's first."""
        yield from (("", statistical[id(g)], g) for g in same if id(g) in statistical)
        if aligners == "statistical+attention" and unit not in read:
            attended.update(_aligned_spans(report, glossaries, None, attention, only={unit}))
            read.add(unit)
        yield from (("attention", attended[id(g)], g) for g in same if id(g) in attended)
    edits: list[Edit] = []
    kept: list[Edit] = []
    review: set[int] = set()
    for unit, found in sorted(by_unit.items()):
        if unit in report.untranslated:
            continue  # nothing to edit: a list of inserted terms is no translation
        text = english[unit - 1]
        placed = [(f, a, b) for f in found if f.status == "placed" and not f.held
                  for a, b in find_words(text.lower(), f.target.lower())]
        planned: list[tuple[int, int, str, Finding, str]] = []  # start, end, wanted, finding, method
        missing: list[tuple[Finding, str, str]] = []  # finding, why, reason
        for f in found:
            if f.held:
                continue  # the longer term's edit writes its English
            if any(u == unit and a <= f.start and f.end <= b for u, a, b in report.unpaired):
                continue  # its sentence is not translated: nothing of it goes elsewhere
            if f.status != "placed" and _inside_one_to_fix(f, found):
                # its words are the longer term's, which its own edit gives its English: never
                # edited apart ("HK Mortgage Corp" is 香港按揭證券公司's, not 按揭證券's)
                missing.append((f, "", "inside"))
                continue
            if f.status in ("different", "equivalent") and f.seen and f.seen in text:
                at = _free_occurrence(text, f.seen, planned)
                if at is not None:
                    method = f.kind if f.kind in ("number", "date") else "reworded"
                    wanted = _amount_in_place(text, at, f.target) if f.kind == "number" else f.target
                    planned.append((at, at + len(f.seen), wanted, f, method))
                    continue
            if f.status == "missing" and (money := _currency(text, f, found, planned)):
                planned.append((*money, f, "currency"))
                continue
            if f.status in ("missing", "different", "equivalent"):
                # the English of other requirements stays; one nested in this term's source may
                # be replaced when the required form holds it ("Hong Kong" in "Hong Kong interbank …")
                protected = [(g, a, b) for g, a, b in placed if not (
                    f.start <= g.start and g.end <= f.end and g.target.lower() in f.target.lower())]
                # the same term elsewhere in the unit is tried too: which of its occurrences the
                # English left out is told by alignment, not by the order the check took them in
                span, pronoun, reason, why, by = None, None, "none", "no English words align to it", ""
                scattered = False  # the only words were a run of scattered links that cannot stand for it
                same = [f] + [g for g in found if g is not f and g.kind == f.kind and g.source == f.source]
                merged = None  # where its own aligned words are the required form, another mention's
                for by, alignment, g in aligned(unit, same):
                    if alignment.sure and (pronoun := _pronoun(text, alignment.span, f.target, planned)):
                        break
                    span, reason, why = _usable(text, alignment.span, f.target, protected, planned,
                                                stop=alignment.others)
                    if reason == "same":  # another mention's English, the required form
                        if g is f and merged is None:
                            merged = alignment.span[0]
                        reason = "taken"
                    if span and not alignment.sure and not alignment.picked:
                        # a doubtful alignment is trusted only as far as the words it shares with
                        # the required form: "forum" of "forum was held", not the verb beside it
                        stop = [(a, b) for a, b, *_ in planned] + [(a, b) for _, a, b in protected]
                        shared = _shared_run(text, span, f.target, stop=stop) or _acronym_run(
                            text, span, f.target, stop)
                        if shared is None:
                            span, reason, why = None, "doubtful", (
                                f"only a doubtful alignment (“{text[span[0]:span[1]]}”: one direction, "
                                "no word in common with the required form)")
                        else:
                            span = shared
                    if alignment.picked:
                        # a run picked from scattered links is used only where it stands for the
                        # required form whole, and its unit is flagged: a person reads it; else the
                        # words are looked for as where nothing aligns (similar wording)
                        scattered = True
                        if span and _whole_enough(text, span, f.target, alignment.apart):
                            by = "scattered"
                        elif span:
                            span, reason, why = None, "partial", (
                                f"only “{text[span[0]:span[1]]}” of words scattered over the unit aligns to it")
                    if span:
                        break
                similar = None
                if not span and not pronoun and f.kind == "term" and any(
                        g is not f and g.source == f.source for g in found):
                    pronoun = _subject_pronoun(report, text, f, planned)
                if not span and not pronoun and (reason == "none" or scattered) and f.kind == "term":
                    similar = _similar(text, _bead_of(report, unit, f.start)[1], f.target, protected, planned)
                chosen = (*span, f.target, f, by or "aligned") if span else (*pronoun, f, by or "aligned") if pronoun \
                    else (*similar, f.target, f, "similar") if similar else None
                clash = chosen and next((p for p in planned if chosen[0] < p[1] and chosen[1] > p[0]), None)
                if clash:  # never two edits over the same words: the later would write into the first's
                    chosen, reason, why = None, "taken", (f"the aligned words “{text[chosen[0]:chosen[1]]}” are "
                                                          f"already replaced by “{clash[2]}”")
                if chosen:
                    planned.append(chosen)
                elif merged is not None and f.kind == "term":
                    # the English names it once where the source names it twice: never written again
                    at = _nearest(text, f.target, merged)
                    kept.append(Edit(unit, f.kind, f.source, None, f.target, "kept", at,
                                     f"the English words aligned to it, “{text[at:at + len(f.target)]}”, are its "
                                     "required form, another mention's: the English names it once where the "
                                     "source has it more than once", "merged"))
                    review.add(unit)
                else:
                    missing.append((f, why, reason if f.kind == "term" else f.kind))
        # a requirement nothing replaces goes before the closing mark of the English sentence that
        # translates its source sentence (the unit's end where that is not known); never into a
        # sentence whose English holds the same term's required form already (人民币…人民币 → one
        # "renminbi": the English names it once for two mentions), which is left for a person to read
        inserts: dict[int, list[tuple[Finding, str, str]]] = {}
        written = {id(g) for g, _, _ in missing}  # inserted below: their English will be there too
        for f, why, reason in missing:
            a, b = _english_sentence(report, unit, f)
            at = _closing_mark(text, a, b)
            holder = _holder(f, found, placed, planned, written, (a, b))
            if holder is not None:  # a term inside a longer one whose English is there: never twice
                g, where = holder
                kept.append(Edit(unit, f.kind, f.source, None, f.target, "kept", at if where is None else where,
                                 f"its words are part of {g.source}, whose English “{g.target}” stands for them: "
                                 f"writing “{f.target}” beside it would translate them twice", "inside",
                                 within=g.target))
                continue
            named = [s for g, s, _ in placed if g.source == f.source and a <= s < b]
            named += [s for s, _, _, g, _ in planned if g.source == f.source and a <= s < b]
            if named or any(g.source == f.source for g, _, _ in inserts.get(at, [])):
                kept.append(Edit(unit, f.kind, f.source, None, f.target, "kept", min(named, default=at),
                                 f"its sentence's English has “{f.target}” already: it names it once where the "
                                 "source has it more than once", "merged"))
                review.add(unit)
                continue
            if any(s < at < e for s, e, *_ in planned):
                at = max(e for s, e, *_ in planned if s < at < e)
            inserts.setdefault(at, []).append((f, why, reason))
        # the edits made from the end of the text back, each placed where the ones before it leave it
        ops = [(p[0], 0, p) for p in planned] + [(at, 1, batch) for at, batch in inserts.items()]
        applied: list[tuple[int, list[Edit], int]] = []  # where, the edits, how much longer the text became
        for at, inserting, op in sorted(ops, key=lambda o: (-o[0], o[1])):
            size = len(text)
            if inserting:
                made, written = [], ""
                for f, why, reason in op:
                    written += " ("
                    made.append(Edit(unit, f.kind, f.source, None, f.target, "inserted", at + len(written), why, reason))
                    written += f.target + ")"
                text = text[:at] + written + text[at:]
                review.add(unit)
            else:
                start, end, wanted, f, method = op
                text, edit = _replace(text, start, end, wanted, f, {"similar": "reworded", "attention": "aligned",
                                                                    "scattered": "aligned", "currency": "reworded"
                                                                    }.get(method, method))
                edit.reason = method if method in ("similar", "attention", "scattered", "currency") else ""
                if method == "scattered":
                    review.add(unit)
                made = [edit]
            applied.append((at, made, len(text) - size))
        unit_edits = []
        for k, (_, made, _) in enumerate(applied):
            shift = sum(moved for _, _, moved in applied[k + 1:])  # the edits made after it stand before it
            for edit in made:
                edit.at += shift
                unit_edits.append(edit)
        for edit in kept:
            if edit.unit == unit:
                edit.at += sum(moved for at, _, moved in applied if at < edit.at)
        english[unit - 1] = text
        edits += sorted(unit_edits, key=lambda e: e.at)
    for unit, given in report.layouts.items():
        english[unit - 1] = restore_breaks(given, english[unit - 1])
    for edit in edits + kept:  # the translator's line breaks back, and a kept term beside its insertion
        edit.at = _nearest(english[edit.unit - 1], edit.within or edit.after, edit.at)
    again = check_texts(pipeline, sources, english, glossaries=glossaries,
                        ignore_case=report.signature.get("case") == "ignored")
    return FixResult(english, edits, sorted(review), again, kept=kept)


def _currency(text: str, f: Finding, found: list[Finding], planned) -> tuple[int, int, str] | None:
    """Where a term is the currency of the amount before it in the source (港元 of 19億港元, the
    glossary's HKD) and the English writes the amount with the currency's symbol ("HK$1.9
    billion"): the symbol, and the glossary's code to write in its place ("HKD 1.9 billion"; the
    amount's own edit, if it has one, is made beside it), or the amount, and it written with the
    currency's name where the glossary has that ("1.9 billion Hong Kong dollars"), as (start,
    end, wanted); else ``None``."""
    spec = currency(f.source) if f.kind == "term" else None
    amount = next((g for g in found if g.kind == "number" and g.end == f.start), None)
    if spec is None or amount is None or "prefix" not in spec:
        return None
    name = spec.get("name", "")
    written = [amount.target] + ([amount.seen] if amount.seen and amount.status != "placed" else [])
    pattern = re.escape(spec["prefix"]) + r" ?(?:" + "|".join(map(re.escape, written)) + r")(?![\w.,]\d)"
    for m in re.finditer(pattern, text):
        if f.target == spec["code"]:
            symbol = re.match(re.escape(spec["prefix"]) + " ?", m.group())
            if not any(m.start() < b and m.start() + symbol.end() > a for a, b, *_ in planned):
                return m.start(), m.start() + symbol.end(), f"{f.target} "
        elif name and f.target.lower() in (name.lower(), name.lower() + "s") and amount.status == "placed":
            if not any(m.start() < b and m.end() > a for a, b, *_ in planned):
                return m.start(), m.end(), f"{amount.target} {name}{'' if amount.target == '1' else 's'}"
    return None


def _inside_one_to_fix(f: Finding, found: list[Finding]) -> bool:
    """Whether ``f`` is a term whose source lies inside a longer term of the unit that the fix repairs."""
    return any(g.status in ("missing", "different", "equivalent") and not g.held for g in _longer_terms(f, found))


def _longer_terms(f: Finding, found: list[Finding]) -> list[Finding]:
    """The other terms of the unit whose source holds ``f``'s and is longer, longest first (none
    where ``f`` is not a term)."""
    if f.kind != "term":
        return []
    return sorted((g for g in found if g is not f and g.kind == "term" and g.start <= f.start
                   and f.end <= g.end and g.end - g.start > f.end - f.start), key=lambda g: g.start - g.end)


def _holder(f: Finding, found: list[Finding], placed, planned, written: set[int], sentence: tuple[int, int]):
    """The longest other term of the unit whose source holds ``f``'s and whose English the fixed
    text will have (placed, written by a planned edit, or inserted: ``written``), with where that
    English stands (in ``f``'s English sentence where it is there; ``None``: where the insertion
    goes); ``None`` when there is none."""
    for g in _longer_terms(f, found):
        spots = [a for h, a, _ in placed if h is g] + [start for start, _, _, h, _ in planned if h is g]
        if spots:
            return g, min(spots, key=lambda a: (not sentence[0] <= a < sentence[1], a))
        if id(g) in written:
            return g, None
    return None


def _english_sentence(report: CheckReport, unit: int, f: Finding) -> tuple[int, int]:
    """The span of ``unit``'s English (as checked) that translates the source sentence holding
    ``f`` (:meth:`CheckReport.sentence_beads`), or the whole English where that is not known."""
    english = report.texts[unit - 1][1]
    if f.end > f.start:
        _, sentences = _bead_of(report, unit, f.start)
        if sentences:
            return sentences[0][0], sentences[-1][1]
    return 0, len(english)


def _closing_mark(text: str, start: int, end: int) -> int:
    """Where something added to the sentence ``text[start:end]`` goes: before its closing mark
    (".", "?", "!" and the quotes or brackets after it), else at its end."""
    body = text[start:end].rstrip()
    closing = re.search(r"[.!?][\"”’)]*$", body)
    return start + (closing.start() if closing else len(body))


def _nearest(text: str, wanted: str, at: int) -> int:
    """Where ``wanted`` stands in ``text`` nearest ``at`` (regardless of case), or ``at`` where it
    stands nowhere: an edit's place once line breaks restored around it moved it."""
    found = [m.start() for m in re.finditer(re.escape(wanted), text, re.IGNORECASE)]
    return min(found, key=lambda k: abs(k - at)) if found else at


def restore_breaks(given: str, fixed: str) -> str:
    """``fixed`` (made from ``given`` with its whitespace collapsed, then edited) with the line
    breaks of ``given`` back between the words that kept their places: a unit that holds two of the
    translator's paragraphs ("January" over "January 14: …") stays two paragraphs."""
    import difflib

    words, runs = given.split(), re.findall(r"\s+", given.strip())
    out = fixed.split()
    seps = [" "] * max(0, len(out) - 1)
    for a, b, size in difflib.SequenceMatcher(None, words, out, autojunk=False).get_matching_blocks():
        for k in range(size - 1):
            if "\n" in runs[a + k]:
                seps[b + k] = runs[a + k]
    return "".join(w + s for w, s in zip(out, [*seps, ""]))


def _free_occurrence(text: str, seen: str, planned) -> int | None:
    for m in re.finditer(re.escape(seen), text):
        if not any(m.start() < b and m.end() > a for a, b, *_ in planned):
            return m.start()
    return None


def _aligned_spans(report: CheckReport, glossaries, priors, attention=None, only: set[int] | None = None
                   ) -> dict[int, _Aligned]:
    """The English words aligned to the source span of each term and name in a unit that lacks
    one (the placed ones too: a repeated term's missing occurrence is told apart by them), by the
    statistical aligner, or with ``attention`` by the model's; ``only``: these units alone."""
    from . import align as aligner

    untranslated = set(report.untranslated)
    wanted = [f for f in report.findings if f.status in ("missing", "different", "equivalent")
              and f.kind in ("term", "name") and f.end > f.start  # a number is rewritten, never aligned
              and f.unit not in untranslated and (only is None or f.unit in only)]
    if not wanted:
        return {}
    units = sorted({f.unit for f in wanted})
    cuts: dict[int, set[int]] = {u: set() for u in units}
    for f in report.findings:
        if f.unit in cuts:
            cuts[f.unit] |= {f.start, f.end}
    pairs = [(report.texts[u - 1][0], report.texts[u - 1][1], tuple(sorted(cuts[u]))) for u in units]
    if attention is not None:
        alignments = dict(zip(units, aligner.align(pairs, attention=attention)))
    else:  # the glossaries' entries and the priors teach the statistical aligner
        extra, seen = [], set()
        for g in (glossaries or []):
            if g is not None and id(g) not in seen:
                seen.add(id(g))
                extra += [(t.source, target) for t in g.terms.values() for target in t.targets]
        if priors is None and aligner.default_priors().exists():
            priors = aligner.default_priors()
        alignments = dict(zip(units, aligner.align(pairs, extra=extra, priors=priors)))
    out = {}
    for f in report.findings:
        if f.unit not in alignments or f.kind not in ("term", "name") or f.end <= f.start:
            continue
        alignment = alignments[f.unit]
        span = alignment.english_span(f.start, f.end)
        if span:
            picked = alignment.picked(f.start, f.end)
            out[id(f)] = _Aligned(span, alignment.is_sure(f.start, f.end), picked,
                                  alignment.others(f.start, f.end) if picked else [],
                                  alignment.apart(f.start, f.end) if picked else [])
    return out


@dataclass
class _Aligned:
    span: tuple[int, int]  # the English characters aligned to a finding's source
    sure: bool  # whether the alignment may be trusted without a word in common (Alignment.is_sure)
    #: whether the words are a run picked out of links scattered over the unit (Alignment.picked):
    #: trusted only where they hold most of the required form and cut no name apart (_whole_enough)
    picked: bool = False
    #: for a picked run, the English words that translate other source words only: never grown over
    others: list[tuple[int, int]] = field(default_factory=list)
    #: for a picked run, the words aligned to the source that stand apart from it
    apart: list[tuple[int, int]] = field(default_factory=list)


def _whole_enough(text: str, span: tuple[int, int], target: str, apart=()) -> bool:
    """Whether the words ``text[span]`` can stand for ``target`` whole: they hold most of its
    content words (at least half, and two where it has two: "credit data" for "consumer credit
    data", not "principal" for "principal moratorium arrangement"), the words aligned to it that
    stand ``apart`` hold none of the others (its English split: "quoted prices for identical
    assets in active markets" for 活躍市場的報價 → "quoted prices in active markets"), and no
    capitalized name goes on past either edge ("Credit" of "Credit Information Platform", "Hong
    Kong" of "Hong Kong Monetary Authority")."""
    wanted = [stems for w in _WORD.findall(target) if (stems := _word_stems(w))]
    words = _WORD.findall(text[span[0]:span[1]])
    held = [stems for stems in wanted if any(_has_stem(w, stems) for w in words)]
    if not wanted or len(held) < max(min(2, len(wanted)), (len(wanted) + 1) // 2):
        return False
    strays = [w for a, b in apart for w in _WORD.findall(text[a:b])]
    if any(_has_stem(w, stems) for stems in wanted if stems not in held for w in strays):
        return False
    after = re.match(r"[ \t]+([A-Za-z][\w-]*)", text[span[1]:])
    before = re.search(r"([A-Za-z][\w-]*)[ \t]+$", text[:span[0]])
    capital = (lambda m: m is not None and m.group(1)[0].isupper() and m.group(1).lower() not in FUNCTION_WORDS)
    return not (words and (words[-1][0].isupper() and capital(after)
                           or words[0][0].isupper() and capital(before) and not _sentence_start(text, before.start())))


def _sentence_start(text: str, at: int) -> bool:
    return at == 0 or text[:at].rstrip()[-1:] in ".!?:#\"“'‘("


def _word_stems(word: str) -> set[str]:
    """A content word by its first five letters, and a hyphenated word's parts too ("high-carbon":
    "high-", "high", "carbo"); nothing for a function word or one of two letters."""
    parts = {p.lower()[:5] for p in {word, *word.split("-")}}
    return {p for p in parts if len(p) > 2 and p not in FUNCTION_WORDS}


def _stems(text: str) -> set[str]:
    return {s for w in _WORD.findall(text) for s in _word_stems(w)}


def _has_stem(word: str, stems: set[str]) -> bool:
    """Whether ``word`` begins like one of ``stems`` ("ecological" and the "eco" of "eco-environmental")."""
    return any(w.startswith(s) or s.startswith(w) for w in _word_stems(word) for s in stems)


def _widen(text: str, start: int, end: int, target: str, reach: int = 3, stop=()) -> tuple[int, int]:
    """The span grown over neighbouring words (within ``reach`` words, in the same clause) that
    the required form has too, so that the replacement leaves none of them beside it:
    "Guangxi Modern Logistics Group" is replaced whole when "Guangxi" aligned to
    广西现代物流集团 and the glossary says "Guangxi Logistics Group"."""
    stems = _stems(target)
    words = list(_WORD.finditer(text))
    inside = [k for k, w in enumerate(words) if w.start() >= start and w.end() <= end]
    if not inside or not stems:
        return start, end
    first, last = inside[0], inside[-1]
    grown = True
    while grown:
        grown = False
        for k in range(last + 1, min(len(words), last + 1 + reach)):
            if re.search(r"[,.;:!?()]", text[words[k - 1].end():words[k].start()]) or _in(words[k], stop):
                break
            if _has_stem(words[k].group(), stems):
                last, grown = k, True
        for k in range(first - 1, max(-1, first - 1 - reach), -1):
            if re.search(r"[,.;:!?()]", text[words[k].end():words[k + 1].start()]) or _in(words[k], stop):
                break
            if _has_stem(words[k].group(), stems):
                first, grown = k, True
    return words[first].start(), words[last].end()


def _in(word: re.Match, spans) -> bool:
    return any(word.start() < b and word.end() > a for a, b in spans)


_ACRONYM = re.compile(r"([A-Z]{2,6})s?")


def _initials(word: str) -> str:
    """A word's letters in an acronym: its first, each part's of a hyphenated one ("Medium-sized":
    MS); none for a small word."""
    if word.lower() in _TITLE_SMALL:
        return ""
    return "".join(part[0].upper() for part in word.split("-") if part)


def _acronym_run(text: str, span: tuple[int, int], target: str, stop=()) -> tuple[int, int] | None:
    """The words of ``span`` as an acronym's, where a doubtful alignment has no word in common with
    the required form: for an acronym (HKMA, AIs), words whose initials spell it whole, grown over
    neighbours in the clause that go on spelling it ("Hong Kong" of "Hong Kong dollar" for HKD,
    "exchange rate" of "linked exchange rate system" for LERS), or spell its end ("the Monetary
    Authority" is "the HKMA"); for a name written out, a word that is its acronym ("CTCs" for
    "corporate treasury centres", "IMF"). ``None`` otherwise."""
    words = list(re.finditer(r"[A-Za-z][\w-]*", text))
    inside = [k for k, w in enumerate(words) if w.start() >= span[0] and w.end() <= span[1] and _initials(w.group())]
    if not inside:
        return None
    acronym = _ACRONYM.fullmatch(target)
    if acronym is None:
        spelled = "".join(_initials(w) for w in re.findall(r"[A-Za-z][\w-]*", target))
        seen = _ACRONYM.fullmatch(words[inside[0]].group()) if len(inside) == 1 else None
        if seen and len(spelled) >= 2 and seen.group(1) == spelled:
            return words[inside[0]].span()
        return None
    letters = acronym.group(1)
    first, last = inside[0], inside[-1]
    spelled = "".join(_initials(words[k].group()) for k in range(first, last + 1))
    at = letters.find(spelled)
    if at < 0:
        return None

    def joined(a: int, b: int) -> bool:  # nothing but a space between words a and b, neither held
        return not re.search(r"[^\s]", text[words[a].end():words[b].start()]) and not any(
            _in(words[k], stop) for k in (a, b))
    grown = True
    while grown:
        grown = False
        for k in (first - 1, first - 2):  # a small word may stand between ("Association of Banks")
            if k >= 0 and all(joined(j, j + 1) for j in range(k, first)) and (part := _initials(words[k].group())) \
                    and all(not _initials(words[j].group()) for j in range(k + 1, first)) \
                    and letters[:at].endswith(part):
                first, at, spelled, grown = k, at - len(part), part + spelled, True
                break
        for k in (last + 1, last + 2):
            if k < len(words) and all(joined(j, j + 1) for j in range(last, k)) and (part := _initials(words[k].group())) \
                    and all(not _initials(words[j].group()) for j in range(last + 1, k)) \
                    and letters[at + len(spelled):].startswith(part):
                last, spelled, grown = k, spelled + part, True
                break
    if spelled == letters:
        return words[first].start(), words[last].end()
    # its end alone: not where a name goes on before it ("non-Hong Kong dollar" is not "non-Hong HKD")
    named = first > 0 and joined(first - 1, first) and words[first - 1].group().split("-")[-1][:1].isupper() \
        and words[first - 1].group().lower() not in _TITLE_SMALL
    if len(spelled) >= 2 and letters.endswith(spelled) and not named:
        return words[first].start(), words[last].end()
    return None


def _shared_run(text: str, span: tuple[int, int], target: str, stop=()) -> tuple[int, int] | None:
    """The part of ``span`` from its first to its last content word that the required form has
    too (by the first five letters: "transformation" and "transition" differ, "authorised" and
    "authorized" do not), grown over such neighbours; ``None`` when it shares none."""
    stems = _stems(target)
    shared = [m for m in _WORD.finditer(text, span[0], span[1]) if _has_stem(m.group(), stems)]
    if not shared:
        return None
    return _widen(text, shared[0].start(), shared[-1].end(), target, stop=stop)


#: where a sentence ends inside a span: ; ! ? or a full stop before a capital, not after an
#: abbreviation ("No. 2", "Co. Ltd", "Mr. Chan")
_SENTENCE_END = re.compile(r"[;!?]\s|(?<!\bNo)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bCo)(?<!\bSt)(?<!\bvs)\.\s+(?=[A-Z“\"‘'(])")
_PRONOUNS = {"it": "", "its": "s", "they": "", "them": "", "their": "s"}


def _pronoun(text: str, span: tuple[int, int], target: str, planned,
             article_known: bool = False) -> tuple[int, int, str] | None:
    """Where the aligner gives a term only a pronoun ("its website" for 金管局网站, "It also took
    steps" for 金管局亦采取措施): the pronoun's place and the term to write there, possessive kept
    ("the HKMA’s website"), with the article the English gives the term elsewhere in the unit;
    ``None`` where the aligned words hold no single pronoun or the unit never writes the term (with
    ``article_known``, never writes it "the …")."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    found = [m for m in words if m.group().lower() in _PRONOUNS]
    if len(found) != 1 or any(w.group().lower() not in _EDGE_WORDS and w not in found for w in words) \
            or any(m.start() < b and m.end() > a for a, b, *_ in planned for m in found):
        return None
    (m,) = found
    with_article = re.search(rf"\b[Tt]he {re.escape(target)}(?![\w-])", text)
    bare = re.search(rf"(?<![\w-]){re.escape(target)}(?![\w-])", text)
    if not with_article and (article_known or not bare):
        return None
    article = "the " if with_article and not target.lower().startswith("the ") else ""
    apostrophe = "’" if "’" in text else "'"
    wanted = article + target + (apostrophe + "s" if _PRONOUNS[m.group().lower()] else "")
    if m.group()[0].isupper():
        wanted = wanted[0].upper() + wanted[1:]
    return m.start(), m.end(), wanted


def _bead_index(pairs: list, at: int) -> int | None:
    """Which of a unit's sentence beads (:meth:`CheckReport.sentence_beads`) holds the source offset ``at``."""
    return next((i for i, (zh, _) in enumerate(pairs) if any(a <= at < b for a, b in zh)), None)


def _bead_of(report: CheckReport, unit: int, at: int) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The source sentence of ``unit`` holding ``at`` and the English sentences that translate it
    (:meth:`CheckReport.sentence_beads`; the whole English where it is one sentence)."""
    pairs = report.sentence_beads(unit)
    k = _bead_index(pairs, at)
    if k is None:
        return None, []
    zh, en = pairs[k]
    return next((a, b) for a, b in zh if a <= at < b), en


def _subject_pronoun(report: CheckReport, text: str, f: Finding, planned) -> tuple[int, int, str] | None:
    """A term the source repeats, opening its sentence (金管局亦采取具体行动), where the English
    sentence that translates it opens with a pronoun and holds no other rendering of it ("It also
    took concrete steps") and names it "the …" elsewhere: the pronoun's place and the term to write
    there (:func:`_pronoun`)."""
    sentence, english = _bead_of(report, f.unit, f.start)
    if sentence is None or len(english) != 1 or report.texts[f.unit - 1][0][sentence[0]:f.start].strip(" 　\"“「"):
        return None
    a, b = english[0]
    if find_words(text[a:b].lower(), f.target.lower()):
        return None
    first = _WORD.search(text, a, b)
    if first is None or first.group() not in ("It", "Its", "They", "Their"):
        return None
    # only where the English names it "the …" elsewhere: "Library also maintains" is no sentence
    return _pronoun(text, (first.start(), first.end()), f.target, planned, article_known=True)


def _similar(text: str, region: list[tuple[int, int]], target: str, protected,
             planned) -> tuple[int, int] | None:
    """Where no English word aligns to a term: the words of its sentence's English that begin with
    the required form's first content word and end with its last, within one clause and about its
    length, holding two or more of its words and saying no more than it ("fixed income portfolios"
    for "fixed-income portfolio", "Pre-approved Principal Moratorium scheme" for "Pre-approved
    Principal Payment Holiday Scheme"), to be replaced; ``None`` where no such words are, or more
    than one run of them, or they are unusable (:func:`_usable`)."""
    content = [w for w in _WORD.findall(target) if _word_stems(w)]
    if len(content) < 2:
        return None
    first, last, stems = _word_stems(content[0]), _word_stems(content[-1]), _stems(target)
    reach = len(_WORD.findall(target)) + 2
    found = []
    for a, b in region:
        words = list(_WORD.finditer(text, a, b))
        for i, w in enumerate(words):
            if not _has_stem(w.group(), first):
                continue
            for k in range(i, min(len(words), i + reach)):
                if k > i and re.search(r"[,.;:!?()]", text[words[k - 1].end():words[k].start()]):
                    break
                if k > i and _has_stem(words[k].group(), last):
                    run = words[i:k + 1]
                    shared = {t for t in stems for m in run if _has_stem(m.group(), {t})}
                    if len(shared) >= 2:
                        found.append((w.start(), words[k].end()))
                    break
    found = [r for r in found if not any(o != r and o[0] <= r[0] and r[1] <= o[1] for o in found)]  # the longest
    if len(found) != 1:
        return None
    start, end = found[0]
    if sum(text[start:end].count(q) for q in "\"“”") % 2:
        return None  # a quotation's one mark: the words are part of a title
    span, _, _ = _usable(text, (start, end), target, protected, planned)
    if span is None:
        return None
    words = [m.group() for m in _WORD.finditer(text, *span)]
    # the words say no more than the required form: no content word of theirs without one of its own
    # for it ("bond and equity markets" is not "bond markets"), no "and" it has not
    extra = [w for w in words if _word_stems(w) and not _has_stem(w, stems)]
    lacking = [w for w in content if not _has_stem(w, _stems(text[span[0]:span[1]]))]
    if len(extra) > len(lacking) or ({"and", "or"} & {w.lower() for w in words}) - {w.lower() for w in _WORD.findall(target)}:
        return None
    # a plural form where the English uses the word before a noun ("cyber risk management")
    after = re.match(r"\s+([A-Za-z]+)", text[span[1]:])
    if after and after.group(1).lower() not in FUNCTION_WORDS and content[-1].lower() in (
            words[-1].lower() + "s", words[-1].lower() + "es"):
        return None
    return span


def _outside(text: str, start: int, end: int, inside: list[tuple[int, int]], target: str) -> tuple[int, int] | None:
    """``text[start:end]`` less the spans ``inside`` where they stand at its edges, narrowed to the
    words it shares with ``target`` (:func:`_shared_run`, never grown back into them); ``None``
    where another requirement's English stands inside it, or nothing left shares a content word."""
    pieces, at = [], start
    for a, b in sorted((max(a, start), min(b, end)) for a, b in inside):
        if _WORD.search(text, at, a):
            pieces.append((at, a))
        at = max(at, b)
    if _WORD.search(text, at, end):
        pieces.append((at, end))
    if len(pieces) != 1:
        return None  # its words on both sides of the other's: "quality of Guangxi's ecological environment"
    return _shared_run(text, pieces[0], target, stop=inside)


def _usable(text: str, span: tuple[int, int], target: str, protected,
            planned, trim: bool = True, stop=()) -> tuple[tuple[int, int] | None, str, str]:
    """``span`` trimmed of the articles, prepositions and possessives at its edges that the
    target does not have, or ``None`` and why not, as a reason (:attr:`Edit.reason`) and in words:
    too long to be the term's words, across a sentence, or overlapping a placed requirement or
    another edit; never grown over the words ``stop`` (other words' English)."""
    start, end = span
    target_words = [w.lower() for w in _WORD.findall(target)]
    words = [m for m in _WORD.finditer(text) if m.start() >= start and m.end() <= end]
    while words and words[0].group().lower() in _EDGE_WORDS and (not target_words or words[0].group().lower() != target_words[0]):
        words.pop(0)
    while words and words[-1].group().lower() in _EDGE_WORDS and (not target_words or words[-1].group().lower() != target_words[-1]):
        words.pop()
    if not words:
        return None, "partial", f"only “{text[start:end]}” aligns to it"
    if len(words) > 2 * len(target_words) + 3:
        return None, "partial", f"the aligned words “{text[start:end]}” are too many to be the term's"
    # grown over the required form's words; not, once cut away from it, into another requirement's English
    start, end = _widen(text, words[0].start(), words[-1].end(), target, stop=list(stop) + (
        [] if trim else [(a, b) for _, a, b in protected] + [(a, b) for a, b, *_ in planned]))
    if _SENTENCE_END.search(text[start:end]):
        return None, "partial", f"the aligned words “{text[start:end]}” cross a sentence"
    if text[start:end].lower() == target.lower():  # another requirement's English: replacing it adds nothing
        # ("same": another mention's of the same English, which names both)
        same = any(a < end and b > start and g.target.lower() == target.lower() for g, a, b in protected)
        return None, "same" if same else "taken", (f"the aligned words “{text[start:end]}” are the required form "
                                                   "already, required elsewhere")
    # a placed requirement's English inside the words may go if every requirement placed before
    # still finds an occurrence of its own afterwards, the required form taking its own ("renminbi"
    # inside "renminbi payment transactions" → "renminbi payment activities", the unit's other 人民币
    # keeping theirs); not where the words already hold the required form: replacing them adds nothing
    blocked, why = [], ""
    inside = [(a, b) for _, a, b in protected if start < b and end > a]
    if inside:
        why = f"the aligned words “{text[start:end]}” hold “{text[slice(*inside[0])]}”, required elsewhere"
        if target.lower() in text[start:end].lower():
            return None, "taken", why
        keep = not any(a < start or b > end for a, b in inside)
        if keep:
            others = [[g.target.lower()] for g in {id(g): g for g, _, _ in protected}.values()]
            before = sum(s is not None for s in claim(text.lower(), others, find_words))
            after = claim((text[:start] + target + text[end:]).lower(), others + [[target.lower()]], find_words)
            keep = after[-1] is not None and sum(s is not None for s in after[:-1]) >= before
        if not keep:
            blocked = inside
    edited = [(a, b, wanted) for a, b, wanted, *_ in planned if start < b and end > a]
    if edited and not blocked:
        blocked = [(a, b) for a, b, _ in edited]
        why = f"the aligned words “{text[start:end]}” are already replaced by “{edited[0][2]}”"
    if blocked:
        # the words beside the other requirement's English, or the other edit, that the required
        # form shares words with ("China-ASEAN Environment Cooperation Forum" of "2023 China-ASEAN
        # …", the 2023 another requirement's; "director" of "director of the Ecology and Environment
        # Department", the department's words replaced for its own term), or none
        rest = _outside(text, start, end, blocked, target) if trim else None
        if rest is None:
            return None, "taken", why
        return _usable(text, rest, target, protected, planned, trim=False, stop=stop)
    return (start, end), "", ""


def _vowel_sound(words: str) -> bool:
    """Whether ``words`` begin with a vowel sound, as "an" wants: an acronym read letter by letter by
    its first letter's name ("an HKMA", "an SFC", "a US dollar"), else by its first letter."""
    first = re.match(r"[A-Za-z]+", words)
    if first and re.fullmatch(r"[A-Z]{2,}s?", first.group()):
        return first.group()[0] in "AEFHILMNORSX"
    return words[:1].lower() in "aeiou"


def _replace(text: str, start: int, end: int, wanted: str, f: Finding, method: str) -> tuple[str, Edit]:
    """``text[start:end]`` replaced by ``wanted`` with the English kept grammatical around it:
    capitalized at a sentence's start, nothing doubled at either edge ("the the", "yuan yuan"), and
    "a"/"an" before it agreeing with its first sound."""
    start, end = _overlap(text, start, end, wanted)
    start_of_sentence = start == 0 or text[:start].rstrip()[-1:] in ".!?" or text[:start].rstrip().endswith("#")
    if start_of_sentence:
        wanted = wanted[:1].upper() + wanted[1:]
    before = text[start:end]
    head = text[:start]
    article = re.search(r"\b(a|an|A|An)\s+$", head)
    if article and wanted[:1].isalpha():
        an = _vowel_sound(wanted)
        word = ("an" if an else "a") if article.group(1).islower() else ("An" if an else "A")
        head = head[: article.start(1)] + word + head[article.end(1):]
    # an article before the words (or before the quote opening them: the “Group”) that the
    # required form begins with goes
    article = re.search(r"\b(the|The)\s+([“\"‘']?)$", head)
    if article and wanted.lower().startswith("the "):
        head = head[: article.start()] + article.group(2)
        if head.rstrip("“\"‘' ")[-1:] in ("", ".", "!", "?"):
            wanted = wanted[:1].upper() + wanted[1:]
    tail = text[end:]
    # a replaced plural stays plural where the required form is its singular ("projects")
    plural, last_word = re.search(r"\w+$", before), re.search(r"\w+$", wanted)
    if plural and last_word and plural.group().lower() in (last_word.group().lower() + "s", last_word.group().lower() + "es"):
        wanted += plural.group()[len(last_word.group()):]
    # a word the replaced span left beside it that the required form begins or ends with
    # ("the strong strong-side CU") goes: nothing is doubled; a hyphenated word goes whole
    # ("Sino-US" before "US-China trade tensions", never "Sino-")
    prev, first = re.search(r"(?<![\w-])([\w-]+)\s+$", head), re.match(r"\w+", wanted)
    if prev and first and prev.group(1).split("-")[-1].lower() == first.group().lower():
        head = head[: prev.start(1)]
        before = text[prev.start(1):start] + before
    after, last = re.match(r"\s+([\w-]+)(?![\w-])", tail), re.search(r"\w+$", wanted)
    if after and last and after.group(1).split("-")[0].lower() == last.group().lower():
        before += tail[: after.end(1)]
        tail = tail[after.end(1):]
    return head + wanted + tail, Edit(f.unit, f.kind, f.source, before, wanted, method, len(head))


CSS = """table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.5em;vertical-align:top}mark.placed{background:#d9f2d9}
mark.different,mark.equivalent{background:#ffe8a8}mark.missing,mark.inserted{background:#f7c6c6}
mark.replaced{background:#cfe2ff}mark.translated{background:#e4d7f5}
.sig{color:#666;font-size:.85em}ul{margin:.3em 0 0 1em;padding:0}"""


def render_html(report: CheckReport, fixed: FixResult | None = None, *, fragment: bool = False) -> str:
    """The check as a page: each unit's source and English side by side, every requirement marked
    in the source by its status (green placed, amber written otherwise, red missing) and the
    other wording marked in the English, with the list of findings under it; with ``fixed``, a
    third column holds the fixed English, each edit marked (blue replaced, red inserted, violet
    translated by the model). With
    ``fragment``, the body alone, for a page that brings :data:`CSS` (the demo)."""
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

    rows = []
    edits_of: dict[int, list[Edit]] = {}
    for e in (sorted(fixed.edits + fixed.kept, key=lambda e: (e.unit, e.at)) if fixed else []):
        edits_of.setdefault(e.unit, []).append(e)
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
        if unit in report.untranslated:
            notes = "<li>no English: translate this unit</li>" + notes
        notes = "".join(f"<li>untranslated sentence: {escape(zh[a:b].strip())}</li>"
                        for u, a, b in report.unpaired if u == unit) + notes
        row = (f"<tr><td>{escape(report.label(unit))}</td><td>{marked(zh, zh_spans)}</td><td>{marked(en, en_spans)}"
               + (f"<ul>{notes}</ul>" if notes else "") + "</td>")
        if fixed:
            edits = edits_of.get(unit, [])
            spans = [(e.at, e.at + len(e.after), "translated" if e.method == "translated" else
                      "inserted" if e.before is None else "replaced") for e in edits if e.method != "kept"]
            listed = "".join(f"<li>{escape(e.method)}: " + (f"{escape(e.source)}, " if e.method == "kept" else "")
                             + (f"“{escape(e.before)}” → " if e.before is not None else "")
                             + f"“{escape(e.after)}”" + (f" ({escape(e.why)})" if e.why else "") + "</li>" for e in edits)
            row += f"<td>{marked(fixed.english[unit - 1], spans)}" + (f"<ul>{listed}</ul>" if listed else "") + "</td>"
        rows.append(row + "</tr>")
    inconsistent = "".join(f"<li>{escape(i['source'])}: " + "; ".join(f"{escape(k)} ×{n}" for k, n in
                                                                     i["renderings"].items()) + "</li>"
                           for i in report.inconsistent)
    summary = report.tally()
    sig = escape(format_signature(report.signature)) if report.signature else ""
    left = report.left_out()
    done = "translated by the model: read them" if fixed and fixed.methods().get("translated") else "not fixed: translate them"
    body = (f"<p>{report.units} units: {summary}" + (f"; {escape(left)} ({done})" if left else "")
            + ".</p>"
            + (f"<h2>Rendered more than one way</h2><ul>{inconsistent}</ul>" if inconsistent else "")
            + (_fix_summary(fixed) if fixed else "")
            + "<table><tr><th>#</th><th>中文</th><th>English</th>" + ("<th>Fixed</th>" if fixed else "") + "</tr>"
            + "".join(rows) + "</table>"
            + f"<p class='sig'>zhen signature: <code>{sig}</code></p>")
    if fragment:
        return f"<div class='zhen-check'>{body}</div>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>zhen check</title><style>body{{font-family:sans-serif;margin:2em}}{CSS}</style>"
            f"</head><body><h1>zhen check</h1>{body}</body></html>\n")


def _fix_summary(fixed: FixResult) -> str:
    from html import escape

    from .signature import format_signature

    n, review = len(fixed.edits), len(fixed.review)
    return (f"<p>Fixed: {n} edit{'' if n == 1 else 's'} ({fixed.tally()}"
            + (f"); {len(fixed.kept)} left as they are ({fixed.kept_reason()}" if fixed.kept else "")
            + f"); {review} unit{'' if review == 1 else 's'} for review; "
            + fixed.outcome() + "."
            + (f" Model: <code>{escape(format_signature(fixed.signature))}</code>." if fixed.signature else "")
            + "</p>")


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


def document_units(sources: list[str], translations: list[str]) -> tuple[list[str], list[str], list[int]]:
    """Whole documents (the WMT 2025 form: a chapter each) cut into units a check can point to and
    an aligner can align: their non-empty lines, paired by :func:`zhen.align.paragraph_beads` where
    the translator merged or split some. Returns unit sources, unit English and each unit's
    document (0-based); :func:`join_documents` puts fixed units back together."""
    from .align import paragraph_beads

    zh_units, en_units, doc_of = [], [], []
    for d, (zh, en) in enumerate(zip(sources, translations)):
        zh_lines = [line for line in zh.split("\n") if line.strip()]
        en_lines = [line for line in en.split("\n") if line.strip()]
        for zs, es in paragraph_beads(zh_lines, en_lines):
            zh_units.append(" ".join(zh_lines[i] for i in zs))
            en_units.append("\n\n".join(en_lines[j] for j in es))  # the translator's paragraphs stay apart
            doc_of.append(d)
    return zh_units, en_units, doc_of


def join_documents(units: list[str], doc_of: list[int], documents: int) -> list[str]:
    out: list[list[str]] = [[] for _ in range(documents)]
    for text, d in zip(units, doc_of):
        if text:
            out[d].append(text)
    return ["\n\n".join(parts) for parts in out]
