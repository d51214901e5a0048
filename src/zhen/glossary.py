"""Glossaries: official Chinese terms and the exact English they must come out as.

Formats read (by extension):

* ``.tsv``/``.txt`` — DeepL's entry format, ``source<TAB>target``, one entry a line; or, with a
  header row, named columns: ``source``, ``target``, ``alternatives`` (more accepted renderings,
  separated by ``|``) and ``authority`` (where the rendering comes from). ``#`` starts a comment line.
* ``.csv`` — the same with commas and CSV quoting (DeepL's ``source,target[,src_lang,tgt_lang]``).
* ``.tbx`` — TermBase eXchange, read with translate-toolkit; every English term of an entry is an
  accepted rendering, the first the preferred one.
* ``.json`` — ``{"源术语": ["rendering", "other accepted rendering"], ...}``, the form of the WMT 2025
  terminology dictionaries (a plain string value is one rendering).

A file is loaded whole or not at all: the first problem raises :class:`GlossaryError` naming the
file, line and fix. Several glossaries layer, later over earlier (shipped < project < user); each
override is reported, not silent.

Matching runs on :func:`zhen.textnorm.fold`-ed text (simplified script, folded width and dashes,
lower-case Latin), longest-leftmost: in 中国—东盟自贸区3.0版 the whole name wins over 中国—东盟.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ZhenError
from .textnorm import fold

log = logging.getLogger(__name__)

_HEADER_NAMES = {
    "source": {"source", "src", "zh", "chinese", "term", "中文", "源", "原文"},
    "target": {"target", "tgt", "en", "english", "translation", "英文", "译文"},
    "alternatives": {"alternatives", "alternative", "alt", "also", "accepted"},
    "authority": {"authority", "source_of_authority", "reference", "ref", "note", "notes", "来源", "依据"},
}


class GlossaryError(ZhenError):
    """A glossary file zhen refuses; the message names file, line and fix."""

    exit_code = 6


@dataclass(frozen=True)
class Term:
    """One entry: a Chinese source term and its accepted English renderings, preferred first."""

    source: str
    targets: tuple[str, ...]
    origin: str = ""
    authority: str = ""

    @property
    def target(self) -> str:
        return self.targets[0]


@dataclass(frozen=True)
class Override:
    """A later glossary replaced an earlier one's rendering of the same source term."""

    source: str
    kept: Term
    replaced: Term

    def __str__(self) -> str:
        return (f"{self.source}: {self.kept.origin} ({self.kept.target}) overrides "
                f"{self.replaced.origin} ({self.replaced.target})")


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: ``text[start:end]`` is the original characters."""

    start: int
    end: int
    term: Term


@dataclass
class Glossary:
    """A set of terms keyed by their folded source, with fast longest-leftmost matching."""

    terms: dict[str, Term] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    _automaton: object | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    @classmethod
    def from_terms(cls, terms: Iterable[Term], name: str = "<terms>") -> Glossary:
        g = cls(files=[name])
        for t in terms:
            g._add(t, layer_override=True)
        return g

    @classmethod
    def from_mapping(cls, mapping: dict[str, list[str] | str], name: str = "<dict>") -> Glossary:
        """From ``{source: [targets]}``, e.g. one document's WMT dictionary."""
        return cls.from_terms(_terms_from_mapping(mapping, name), name)

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> Glossary:
        """Layer the files in order: each later file overrides earlier ones, with a report."""
        g = cls()
        for path in paths:
            terms = read_glossary_file(path)
            g.files.append(str(path))
            for t in terms:
                g._add(t, layer_override=True)
        for o in g.overrides:
            log.info("glossary override: %s", o)
        return g

    def _add(self, term: Term, *, layer_override: bool) -> None:
        key = fold(term.source)
        old = self.terms.get(key)
        if old is not None and old.targets != term.targets:
            self.overrides.append(Override(term.source, term, old))
        self.terms[key] = term
        self._automaton = None

    def layered(self, other: Glossary) -> Glossary:
        """This glossary with ``other``'s terms over it (a changed rendering is an override)."""
        g = Glossary(dict(self.terms), list(self.files) + list(other.files), list(self.overrides))
        for t in other.terms.values():
            g._add(t, layer_override=True)
        return g

    def without(self, sources: Iterable[str]) -> Glossary:
        """The glossary with some terms turned off (by their Chinese source)."""
        off = {fold(s) for s in sources}
        return Glossary({k: t for k, t in self.terms.items() if k not in off}, list(self.files), list(self.overrides))

    def digest(self) -> str:
        """A content hash: same terms and renderings, same digest, whatever the files were called."""
        h = hashlib.sha256()
        for key in sorted(self.terms):
            h.update(json.dumps([key, self.terms[key].targets], ensure_ascii=False).encode())
        return h.hexdigest()[:12]

    def signature(self) -> str:
        return f"{len(self)}terms-sha256:{self.digest()}" if self.terms else "none"

    def _build(self):
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for key, term in self.terms.items():
            automaton.add_word(key, (len(key), term))
        automaton.make_automaton()
        return automaton

    def match_all(self, text: str) -> list[TermMatch]:
        """Every occurrence of every term, nested and overlapping ones included, leftmost first."""
        if not self.terms or not text:
            return []
        if self._automaton is None:
            self._automaton = self._build()
        found = [TermMatch(end + 1 - n, end + 1, term) for end, (n, term) in self._automaton.iter(fold(text))]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        return found

    def match(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches, longest-leftmost, with offsets into ``text`` as given."""
        out: list[TermMatch] = []
        taken = 0
        for m in self.match_all(text):
            if m.start >= taken:
                out.append(m)
                taken = m.end
        return out


# ----------------------------------------------------------------------------------------- loading


def read_glossary_file(path: str | Path) -> list[Term]:
    """All terms of one file, or :class:`GlossaryError`; never part of a file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise GlossaryError(f"{p}: no such glossary file; check the path given to --glossary.") from None
    except OSError as exc:
        raise GlossaryError(f"{p}: cannot read the glossary ({exc.strerror}).") from None
    ext = p.suffix.lower()
    name = _display(p)
    head = data[:2048].lower()
    if ext == ".tbx" or (ext == ".xml" and (b"martif" in head or b"<tbx" in head)):
        terms = _read_tbx(data, name)
    elif ext == ".json":
        terms = _read_json(_decode(data, p), name)
    elif ext in (".csv",):
        terms = _read_delimited(_decode(data, p), name, ",")
    elif ext in (".tsv", ".txt", ".tab", ""):
        terms = _read_delimited(_decode(data, p), name, "\t")
    else:
        raise GlossaryError(f"{p}: unknown glossary format {ext!r}; use .tsv, .csv, .tbx or .json.")
    if not terms:
        raise GlossaryError(f"{p}: has no entries; a glossary needs at least one source<TAB>target line.")
    return _check_duplicates(terms, name)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryError(f"{path}:{line}: is not UTF-8 (byte {exc.start}); save the glossary as UTF-8.") from None


def _check_duplicates(terms: list[Term], name: str) -> list[Term]:
    seen: dict[str, Term] = {}
    out = []
    for t in terms:
        key = fold(t.source)
        if key in seen:
            if seen[key].targets != t.targets:
                raise GlossaryError(
                    f"{t.origin}: {t.source!r} is already at {seen[key].origin} with a different target "
                    f"({seen[key].target!r} vs {t.target!r}); keep one entry, listing every accepted "
                    "rendering in it."
                )
            continue
        seen[key] = t
        out.append(t)
    return out


def _split_alternatives(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _header_map(row: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower().lstrip("\ufeff") for c in row]
    # a header names its first two columns source and target; a data row never does
    if len(names) < 2 or names[0] not in _HEADER_NAMES["source"] or names[1] not in _HEADER_NAMES["target"]:
        return None
    mapping = {}
    for i, name in enumerate(names):
        for key, aliases in _HEADER_NAMES.items():
            if name in aliases and key not in mapping:
                mapping[key] = i
    return mapping if "source" in mapping and "target" in mapping else None


def _read_delimited(text: str, name: str, delimiter: str) -> list[Term]:
    kind = "TSV" if delimiter == "\t" else "CSV"
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"',
                      quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE, strict=True)
    header: dict[str, int] | None = None
    terms: list[Term] = []
    first = True
    try:
        for row in rows:
            line = rows.line_num
            if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if first:
                first = False
                header = _header_map(row)
                if header is not None:
                    width = len(row)
                    continue
            if header is None:
                # DeepL: source, target; its CSV may add source and target language codes.
                allowed = (2, 4) if delimiter == "," else (2,)
                if len(row) not in allowed:
                    raise GlossaryError(
                        f"{name}:{line}: has {len(row)} columns, expected 2 (source{'<TAB>' if delimiter == chr(9) else ','}"
                        "target); fix the line, or add a header row naming the columns "
                        "(source, target, alternatives, authority)."
                    )
                source, target, alts, authority = row[0], row[1], "", ""
            else:
                if len(row) != width:
                    raise GlossaryError(f"{name}:{line}: has {len(row)} columns, the header has {width}; "
                                        f"check for a stray or missing {'tab' if delimiter == chr(9) else 'comma'}.")
                source = row[header["source"]]
                target = row[header["target"]]
                alts = row[header["alternatives"]] if "alternatives" in header else ""
                authority = row[header["authority"]] if "authority" in header else ""
            source, target = source.strip(), target.strip()
            if not source or not target:
                raise GlossaryError(f"{name}:{line}: empty {'source' if not source else 'target'}; "
                                    "every entry needs both a Chinese term and its English.")
            targets = tuple(dict.fromkeys([target, *_split_alternatives(alts)]))
            terms.append(Term(source, targets, f"{name}:{line}", authority.strip()))
    except csv.Error as exc:
        raise GlossaryError(f"{name}:{rows.line_num}: is not valid {kind} ({exc}); check its quotes.") from None
    return terms


def _terms_from_mapping(mapping: object, name: str) -> list[Term]:
    if not isinstance(mapping, dict):
        raise GlossaryError(f"{name}: a JSON glossary is an object of source term → rendering(s).")
    terms = []
    for i, (source, value) in enumerate(mapping.items(), 1):
        targets = [value] if isinstance(value, str) else value
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise GlossaryError(f"{name}: entry {i} ({source!r}) must map to a string or a list of strings.")
        targets = [t.strip() for t in targets if t.strip()]
        if not source.strip() or not targets:
            raise GlossaryError(f"{name}: entry {i} ({source!r}) has an empty source or no rendering.")
        terms.append(Term(source.strip(), tuple(dict.fromkeys(targets)), f"{name}#{i}"))
    return terms


def _read_json(text: str, name: str) -> list[Term]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GlossaryError(f"{name}:{exc.lineno}: is not valid JSON ({exc.msg}).") from None
    return _terms_from_mapping(data, name)


def _read_tbx(data: bytes, name: str) -> list[Term]:
    from lxml import etree
    from translate.storage import tbx

    try:
        store = tbx.tbxfile.parsestring(data)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise GlossaryError(f"{name}: is not valid TBX/XML ({exc}); export it again from the CAT tool.") from None
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    terms = []
    for i, unit in enumerate(store.units, 1):
        by_lang: dict[str, list[str]] = {}
        for lang_set in unit.getlanguageNodes():
            lang = (lang_set.get(xml_lang) or lang_set.get("lang") or "").lower()
            words = [t.text.strip() for t in lang_set.iter() if etree.QName(t).localname == "term" and t.text]
            by_lang.setdefault(lang.split("-")[0], []).extend(words)
        zh, en = by_lang.get("zh", []), by_lang.get("en", [])
        if not zh or not en:
            raise GlossaryError(f"{name}: entry {i} ({unit.getid() or 'no id'}) lacks a zh or an en term; "
                                "every termEntry needs both languages.")
        notes = unit.getnotes() or ""
        for source in zh:
            terms.append(Term(source, tuple(dict.fromkeys(en)), f"{name}#{unit.getid() or i}", notes.strip()))
    return terms


# ------------------------------------------------------------------------------------- layering


def shipped_glossary_dir() -> Path | None:
    """The glossaries shipped inside the package (``$ZHEN_GLOSSARIES`` overrides), found with
    :mod:`importlib.resources`, so an installed wheel has them as a checkout does."""
    import os
    from importlib.resources import files

    env = os.environ.get("ZHEN_GLOSSARIES")
    if env:
        return Path(env)
    here = Path(str(files("zhen") / "glossaries"))
    return here if here.is_dir() else None


def _display(path: Path) -> str:
    """How a glossary file is named in origins: a shipped one by its place in the package
    (``zhen/glossaries/china-asean.tsv``, the same on every machine), others as given."""
    shipped = shipped_glossary_dir()
    if shipped is not None and path.parent.resolve() == shipped.resolve() and "ZHEN_GLOSSARIES" not in os.environ:
        return f"zhen/glossaries/{path.name}"
    return str(path)


def shipped_glossaries() -> list[Path]:
    folder = shipped_glossary_dir()
    if folder is None:
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".tsv", ".csv", ".tbx", ".json"))


def user_glossary() -> Path | None:
    """``$ZHEN_USER_GLOSSARY``, else ``~/.config/zhen/glossary.tsv`` if it exists."""
    import os

    env = os.environ.get("ZHEN_USER_GLOSSARY")
    if env:
        return Path(env)
    default = Path.home() / ".config" / "zhen" / "glossary.tsv"
    return default if default.is_file() else None


def load_layers(project: Iterable[str | Path] = (), *, shipped: bool = True, user: bool = True) -> Glossary:
    """shipped glossaries < project glossaries (``--glossary``) < the user's glossary."""
    paths: list[Path] = list(shipped_glossaries()) if shipped else []
    paths += [Path(p) for p in project]
    u = user_glossary() if user else None
    if u is not None:
        paths.append(u)
    return Glossary.load(paths)
