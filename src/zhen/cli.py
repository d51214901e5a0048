"""The ``zhen`` command: a thin layer over the library. Each command parses its options, calls the
public functions a Python user would call, and prints; errors are one sentence, no traceback."""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from . import __version__
from .errors import OutputError, ZhenError
from .exporters import EXPORTERS
from .files import write_atomic
from .settings import Settings, options

log = logging.getLogger("zhen")


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="zhen: %(message)s", stream=sys.stderr, force=True)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if quiet:  # transformers reads this when it is imported (CTranslate2 with an opus-mt model never imports it)
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if "transformers" in sys.modules:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


@contextmanager
def _progress(total: int | None, quiet: bool, unit: str = "seg", lazy: bool = False) -> Iterator:
    """A stderr progress bar for multi-segment work (``total`` when known); nothing for one segment
    or ``--quiet``. With ``lazy`` it appears only when work is first reported (a step that may have
    nothing to do)."""
    from tqdm.auto import tqdm

    bars = []

    def bar():
        if not bars:
            bars.append(tqdm(total=total, unit=unit, disable=quiet or (total is not None and total <= 1),
                             file=sys.stderr, dynamic_ncols=True, desc="translating"))
        return bars[0]

    if not lazy:
        bar()
    try:
        yield lambda n=1: bar().update(n)
    finally:
        for made in bars:
            made.close()


class _Clock:
    """Where a command's time goes, step by step (``-v``): the process's start-up (Python and the
    imports before the command ran), then each step's wall time."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        startup = _since_process_start()
        self.steps: list[tuple[str, float]] = [("start-up", startup)] if startup is not None else []

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.steps.append((name, now - self.last))
        self.last = now

    def line(self) -> str:
        total = sum(seconds for _, seconds in self.steps)
        return "zhen: time: " + " · ".join(f"{n} {s:.2f} s" for n, s in self.steps) + f" (total {total:.2f} s)"


def _since_process_start() -> float | None:
    """Seconds since this process started (Linux's /proc), or ``None`` where that is not known."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def _read_source(source: str, max_bytes: int | None = None, whole_page: bool = False):
    """The release named by a FILE|- argument (``-`` is standard input)."""
    from .readers import DEFAULT_MAX_BYTES, read_bytes, read_path

    limit = max_bytes or DEFAULT_MAX_BYTES
    if source == "-":
        return read_bytes(sys.stdin.buffer.read(), "<stdin>", max_bytes=limit, whole_page=whole_page)
    return read_path(source, max_bytes=limit, whole_page=whole_page)


def write_output(text: str | bytes, out: Path | None) -> None:
    """Write to ``out`` atomically (a crash never leaves half a file), or to stdout."""
    if out is None:
        if isinstance(text, bytes):
            if sys.stdout.isatty():
                raise ZhenError("this format is binary; write it to a file with -o FILE.")
            sys.stdout.buffer.write(text)
            sys.stdout.flush()
            return
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise ZhenError(f"{out.parent}: no such folder for the output; create it or choose another -o path.")
    write_atomic(out, text if isinstance(text, bytes) else text.encode("utf-8"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zhen")
def cli() -> None:
    """zhen: Chinese official releases into publishable English."""


@cli.command()
@click.argument("source", metavar="FILE|-")
@click.option("--format", "-f", "fmt", type=click.Choice(list(EXPORTERS)), default="txt", show_default=True,
              help="txt: English; json: everything; jsonl: a segment per line; md/docx: bilingual, paragraph by "
                   "paragraph; tmx: translation memory, a unit per segment; xliff: XLIFF 1.2 for CAT tools.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@options()
@click.option("--strict", is_flag=True,
              help="Exit 7 if any term, number, date or name is missing or was placed only by last resort.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary on stderr.")
@click.option("--verbose", "-v", count=True, help="Say where the model came from and what each step did.")
def translate(source: str, fmt: str, output: Path | None, strict: bool, quiet: bool, verbose: int,
              **given) -> int:
    """Translate a release (.txt/.md/.html/.docx, or - for stdin) into English.

    Glossary terms, numbers, dates, names and Latin tokens are required in the English: the model's
    decoding is steered to them and each is checked; the audit is in the JSON and Markdown output.
    """
    from .exporters import render
    from .requirements import placement_stats
    from .signature import format_signature

    settings = Settings.take(given)
    _configure_logging(verbose, quiet)
    started = time.monotonic()
    clock = _Clock()
    if output is not None and not output.parent.is_dir():  # refuse now, not after the work is done
        raise ZhenError(f"{output.parent}: no such folder for the output; create it or choose another -o path.")
    if output is not None and source != "-" and output.exists() and os.path.samefile(output, source):
        raise ZhenError(f"-o {output} is the input file; choose another output path (zhen never overwrites "
                        "its source).")
    if output is not None:
        from .files import check_writable

        check_writable(output.parent)
    # Read first: a bad file is refused before seconds are spent loading a model.
    release = _read_source(source, settings.max_input_bytes, settings.whole_page)
    clock.lap("read")
    glossary = settings.glossary()
    for override in glossary.overrides:
        _say(quiet, f"zhen: glossary override: {override}")
    clock.lap("glossaries")
    pipeline = settings.pipeline(glossary=glossary)
    clock.lap("model")
    release = pipeline.segment(release)
    clock.lap("segment and find requirements")
    with _progress(pipeline.count_units(release), quiet) as advance:
        release = pipeline.translate(release, progress=advance)
    clock.lap("translate and check")
    rendered = render(release, fmt)
    if fmt == "txt" and verbose:  # plain English stays plain; -v says how it was made
        rendered += f"\n# zhen signature: {format_signature(release.signature)}\n"
    write_output(rendered, output)
    clock.lap("write")
    if verbose:
        _say(quiet, clock.line())
    _say(quiet, f"zhen: {len(release.segments())} segments in {len(release.paragraphs)} paragraphs, "
                f"{release.signature['engine']} {release.signature['model']}, {time.monotonic() - started:.1f} s"
                + (f" → {output}" if output else ""))
    stats = placement_stats(release.segments())
    for line in audit_lines(stats, release):
        _say(quiet, line)
    problems = sum(s.total - s.without_last_resort for s in stats.values())
    if strict and problems:
        click.echo(f"zhen: --strict: {problems} terms, numbers, dates or names missing or placed by last resort.",
                   err=True)
        return 7
    return 0


def audit_lines(stats: dict, release) -> list[str]:
    """The stderr summary: "glossary: 41/41 terms placed (…)", the fidelity line, what was repaired
    in a damaged source, and what needs review."""
    from .normalize import describe_repairs
    from .quality import quality_line

    t, f = stats["terms"], stats["fidelity"]
    review = sum(s.review for s in release.segments())
    lines = [f"zhen: glossary: {t.placed}/{t.total} terms placed, {t.without_last_resort}/{t.total} without "
             f"last resort" + (f", {t.off} turned off" if t.off else "")]
    lines.append(f"zhen: numbers, dates, names: {f.placed}/{f.total} placed, {f.without_last_resort}/{f.total} "
                 "without last resort")
    if release.repairs:
        lines.append("zhen: repaired source: " + describe_repairs(release.repairs))
    line = quality_line(release.segments())
    if line:
        lines.append(f"zhen: quality: {line}")
    missing = sum(len(s.missing) for s in release.segments())
    if review or missing:
        placed = sum(any(h.method == "last-resort" for h in s.terms) for s in release.segments())
        failing = sum(bool(s.quality_left) for s in release.segments())
        lines.append(f"zhen: review: {review} segments flagged ({placed} with last-resort placements, {failing} "
                     f"failing the quality checks), {missing} items missing")
    return lines


@cli.command()
@click.argument("source", metavar="FILE|-")
@click.option("--sentences", type=click.IntRange(1), help="Number of sentences [default: 3].")
@click.option("--ratio", type=click.FloatRange(0.01, 1.0), help="Share of the body's characters.")
@click.option("--chars", type=click.IntRange(10), help="Character budget, e.g. 200 for a brief.")
@click.option("--trim/--no-trim", default=None,
              help="Let a pick be a sentence without its leading clauses [default: only for one sentence, or when no "
                   "whole sentence fits in --chars].")
@click.option("--no-english", is_flag=True, help="Chinese only: no model needed.")
@click.option("--format", "-f", "fmt", type=click.Choice(["txt", "json", "md"]), default="md", show_default=True,
              help="json: the sentences with their English and its audit.")
@options(model={"help": "Translate the picked sentences with this model [default: Helsinki-NLP/opus-mt-zh-en]."})
@click.option("--quiet", "-q", is_flag=True)
def summarize(source: str, sentences: int | None, ratio: float | None, chars: int | None, trim: bool | None,
              no_english: bool, fmt: str, quiet: bool, **given) -> None:
    """An extractive summary of a release: its own sentences, in order, with their English.

    Only the picked sentences are translated, each with what it must contain found in the whole
    release (a name introduced by its title elsewhere is required too)."""
    import json
    from dataclasses import asdict

    from .summarizer import summarize as make_summary
    from .summarizer import to_markdown

    settings = Settings.take(given)
    _configure_logging(0, quiet)
    if sum(x is not None for x in (sentences, ratio, chars)) > 1:
        raise ZhenError("give one of --sentences, --ratio or --chars.")
    release = _read_source(source, settings.max_input_bytes, settings.whole_page)
    pipe = None if no_english else settings.pipeline()
    summary = make_summary(release, pipe, sentences=sentences, ratio=ratio, chars=chars, trim=trim)
    for note in summary.notes:
        _say(quiet, f"zhen: {note}")
    if fmt == "json":
        click.echo(json.dumps(asdict(summary), ensure_ascii=False, indent=1))
    elif fmt == "txt":
        click.echo(summary.english if summary.english else summary.text)
    else:
        click.echo(to_markdown(summary, (release.title_en or release.title) if release.title else "Summary"))


def _check_inputs(f):
    f = click.option("--quiet", "-q", is_flag=True)(f)
    f = click.option("--ignore-case", is_flag=True,
                     help="A term written in other capitals counts as placed and is not rewritten (the WMT 2025 "
                          "task counts terms so; for glossaries not kept in publishing case).")(f)
    f = click.option("--priors", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="Alignment priors from `zhen align-priors` [default: its default output, when built].")(f)
    f = options(only=("glossaries", "shipped_glossaries", "disabled_terms", "fidelity", "nested_terms"))(f)
    f = click.option("--jsonl", is_flag=True, help="SOURCE is WMT 2025 jsonl: each line's zh checked against its "
                     "en, paragraph by paragraph, with the line's `proper` (or `terms`) dictionary over the glossaries.")(f)
    f = click.argument("translation", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True))(f)
    return click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))(f)


@cli.command()
@_check_inputs
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "html"]), default="table",
              show_default=True, help="html: each unit side by side, every finding marked in both languages.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@click.option("--strict", is_flag=True, help="Exit 7 if anything is missing, rendered differently or not translated.")
@click.option("--fix", "fixed_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the translation with every finding repaired here, as `zhen fix` does.")
def check(source: Path, translation: Path | None, jsonl: bool, fmt: str, output: Path | None, strict: bool,
          fixed_out: Path | None, priors: Path | None, ignore_case: bool, quiet: bool, **given) -> int:
    """Check a translation made elsewhere: every glossary term, number, date, name and Latin token
    its source requires, reported as placed, rendered differently, or missing.

    SOURCE and TRANSLATION are line-aligned text (a unit per line), or SOURCE alone holds both:
    XLIFF 1.2/2.x, TMX, zhen's bilingual DOCX, or WMT 2025 jsonl (zh and en fields). No model is
    needed and nothing is changed (--fix writes the repair elsewhere)."""
    import json
    from dataclasses import asdict

    job = _CheckJob(source, translation, jsonl, given, quiet, ignore_case)
    if fixed_out is not None:
        job.fix(fixed_out, priors)
    report = job.report
    if fmt == "json":
        write_output(json.dumps(asdict(report), ensure_ascii=False, indent=1) + "\n", output)
    elif fmt == "html":
        from .check import render_html

        write_output(render_html(report, job.fixed), output)
    else:
        _check_table(report)
    units = f"{report.units} unit{'' if report.units == 1 else 's'}"
    _say(quiet, "zhen: check: " + report.tally() + f" in {units}"
         + (f"; {len(report.inconsistent)} terms rendered more than one way" if report.inconsistent else "")
         + _untranslated_note(report))
    left_out = report.untranslated or report.unpaired
    return 7 if strict and (report.problems or report.inconsistent or left_out) else 0


@cli.command()
@_check_inputs
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where the fixed translation goes, in the input's own form: jsonl with each `en` fixed; an "
                   "XLIFF, TMX or DOCX given the same suffix gets its targets fixed and each edit as a note "
                   "(other suffixes: a line per unit); text gets a line per unit.")
@click.option("--report", "report_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the HTML report: every finding, and every edit highlighted.")
@options(only=("model", "engine", "device", "compute_type", "beam_size", "batch_size", "threads", "models_dir"),
         model={"help": "A translation model (a directory or hub id): what the draft left out (units with no English, "
                        "sentences left out) is translated by it, as `zhen translate` does, each such unit flagged "
                        "for review, and terms are aligned by its attention; without it no model is needed."})
@click.option("--aligner", type=click.Choice(["auto", "attention", "statistical"]), default="auto", show_default=True,
              help="How the English words of a term are found: statistical (fast_align's model, with --priors), "
                   "attention (the --model's own cross-attention); auto: statistical, and where it finds nothing "
                   "usable, the attention of --model (an encoder-decoder model).")
def fix(source: Path, translation: Path | None, jsonl: bool, output: Path, report_out: Path | None,
        aligner: str, priors: Path | None, ignore_case: bool, quiet: bool, **given) -> int:
    """Make the smallest edits that make every requirement of `zhen check` hold.

    A term written another way is replaced in place: the check's other wording, else the English
    words aligned to the term (word alignment with jieba and fast_align's model, no translation
    model needed; with --model, the model's own attention). Numbers and dates are rewritten in place. Only what aligns to nothing is inserted,
    and its unit is flagged for review. A unit with no English, or a sentence the draft left out, is
    left to be translated, or with --model translated by that model, glossary-constrained as `zhen
    translate` translates. Every edit is listed; the input is never overwritten."""
    job = _CheckJob(source, translation, jsonl, given, quiet, ignore_case)
    job.fix(output, priors, aligner)
    if report_out is not None:
        from .check import render_html

        write_output(render_html(job.report, job.fixed), report_out)
        _say(quiet, f"zhen: report → {report_out}")
    return 0


class _CheckJob:
    """The inputs of `check` and `fix` read once, and the check run on them."""

    def __init__(self, source: Path, translation: Path | None, jsonl: bool, given: dict, quiet: bool,
                 ignore_case: bool = False):
        from .bilingual import SUFFIXES as BILINGUAL
        from .bilingual import read_pairs
        from .check import check_texts, document_units
        from .evaluate import jsonl_testset, read_lines, read_jsonl
        from .glossary import Glossary

        #: with a model (`fix --model`), what the draft left out is translated; else no model runs
        self.translate = given.get("model") is not None
        settings = Settings.take(given, **({} if self.translate else {"engine": "none"}))
        _configure_logging(0, quiet)
        self.source, self.translation, self.quiet = source, translation, quiet
        self.glossaries, self.documents, self.fixed = None, None, None
        self.jsonl = jsonl or (translation is None and source.suffix.lower() in (".jsonl", ".ndjson"))
        if translation is not None and (self.jsonl or source.suffix.lower() in BILINGUAL):
            raise ZhenError(f"{source} holds both languages; give it alone, without TRANSLATION.")
        if translation is None and not self.jsonl and source.suffix.lower() not in BILINGUAL:
            raise ZhenError(f"{source}: give its TRANSLATION too (line-aligned text), or a file that holds both "
                            f"languages (.jsonl, {', '.join(BILINGUAL)}).")
        if translation is None and not self.jsonl:
            sources, english = read_pairs(source)
            labels = None
        elif self.jsonl:
            testset = jsonl_testset([source])
            self.records = read_jsonl(source)
            sources, english, self.documents = document_units(testset.sources, testset.references[0])
            base = settings.glossary()
            by_doc = [base.layered(Glossary.from_mapping(d, f"{source.name}:{i}")) if d else base
                      for i, d in enumerate(testset.dictionaries or [], 1)]
            self.glossaries = [by_doc[d] for d in self.documents] if by_doc else None
            labels = _unit_labels(self.documents)
        else:
            sources, english = read_lines(source, allow_empty=True), read_lines(translation, allow_empty=True)
            labels = None
            if len(sources) != len(english):
                sources, english, labels = self._release_paragraphs(source, translation, english, len(sources))
        self.pipeline = settings.pipeline()
        self.report = check_texts(self.pipeline, sources, english, glossaries=self.glossaries, ignore_case=ignore_case)
        self.report.labels = labels

    def _release_paragraphs(self, source: Path, translation: Path, english: list[str], n_source: int):
        """SOURCE is not line-aligned with TRANSLATION: read it as `zhen translate` reads a release
        (page chrome dropped, a paragraph a unit); the translation must then have one non-empty
        line per paragraph, as `zhen translate -f txt` writes them."""
        from .readers import read_release

        zh = [p.text for p in read_release(source).paragraphs]
        en = [line for line in english if line.strip()]
        if len(zh) != len(en):
            raise ZhenError(f"{translation}: has {len(english)} lines ({len(en)} with text), {source} has "
                            f"{n_source} lines and {len(zh)} paragraphs as zhen reads the release; "
                            "give one translation line per source line, or per paragraph.")
        _say(self.quiet, f"zhen: {source.name} read as a release: {len(zh)} paragraphs, one a line of {translation.name}")
        return zh, en, [f"¶{i}" for i in range(1, len(zh) + 1)]

    def fix(self, out: Path, priors: Path | None, aligner: str = "statistical") -> None:
        import json

        from .check import fix_texts, join_documents
        from .engines import attention_reader

        inputs = {self.source.resolve(), self.translation and self.translation.resolve()}
        if out.resolve() in inputs:
            raise ZhenError(f"{out} is an input file; choose another path (zhen never overwrites its input).")
        attention = None
        if aligner != "statistical":
            attention = attention_reader(self.pipeline.engine)
            if attention is None and aligner == "attention":
                raise ZhenError("--aligner attention needs an encoder-decoder translation model: give --model "
                                "(a chat model has no cross-attention), or use --aligner statistical.")
        with _progress(None, self.quiet, lazy=True) as advance:  # what the model translates, if anything
            self.fixed = fixed = fix_texts(self.pipeline, self.report, glossaries=self.glossaries, priors=priors,
                                           translate=self.translate, attention=attention, aligner=aligner,
                                           progress=advance)
        if self.documents is not None:
            english = join_documents(fixed.english, self.documents, len(self.records))
            text = "".join(json.dumps({**r, "en": e}, ensure_ascii=False) + "\n" for r, e in zip(self.records, english))
        elif self.translation is None and _same_form(self.source, out):
            from .bilingual import write_pairs

            notes: list[list[str]] = [[] for _ in fixed.english]
            for edit in sorted(fixed.edits + fixed.kept, key=lambda e: (e.unit, e.at)):
                notes[edit.unit - 1].append(edit.note())
            text = write_pairs(self.source, fixed.english, notes, {u - 1 for u in fixed.review})
        else:  # a line per unit: a unit's own paragraphs joined
            text = "\n".join(" ".join(e.split()) for e in fixed.english) + "\n"
        write_output(text, out)
        n = len(fixed.edits)
        _say(self.quiet, f"zhen: fix: {n} edit{'' if n == 1 else 's'}" + (f" ({fixed.tally()})" if n else "")
             + (f"; {len(fixed.kept)} left as they are ({fixed.kept_reason()})" if fixed.kept else "")
             + f"; units for review: {', '.join(self.report.label(u) for u in fixed.review) or 'none'} → {out}"
             + f"; {fixed.outcome()}"
             + _untranslated_note(self.report, " (translated by the model: read them)" if self.translate else
                                  " (left as they are: translate them, e.g. with `zhen translate`, or fix --model)")
             + (_untranslated_note(fixed.after, " after the model's translation") if self.translate else ""))


def _untranslated_note(report, then: str = "") -> str:
    """What the translation left out, in the summary line (:meth:`CheckReport.left_out`)."""
    said = report.left_out()
    return f"; {said}{then}" if said else ""


def _same_form(source: Path, out: Path) -> bool:
    """Whether ``out`` asks for the bilingual file's own form (.xlf for .xliff too), not text lines."""
    family = {".xliff": ".xlf", ".sdlxliff": ".xlf"}
    return family.get(out.suffix.lower(), out.suffix.lower()) == family.get(source.suffix.lower(), source.suffix.lower())


@cli.command("align-priors")
@click.option("--text", "texts", multiple=True, nargs=2, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              metavar="ZH EN", help="Line-aligned parallel text: a Chinese file and its English; repeatable.")
@click.option("--jsonl", "jsonls", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Documents with zh and en fields (the WMT 2025 form); paragraphs paired; repeatable.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Where the priors go [default: $ZHEN_ALIGN_PRIORS, else ~/.cache/zhen/align-priors.txt, "
                   "which check --fix and fix read].")
@click.option("--quiet", "-q", is_flag=True)
def align_priors(texts, jsonls, output: Path | None, quiet: bool) -> None:
    """Learn word-alignment priors from parallel text, once, for `zhen fix` to read.

    Use text of the kind you will check (official documents, your own archive), never the text you
    will evaluate fixes on. zhen ships no priors: such text is licensed for use, not redistribution."""
    from .align import build_priors, default_priors
    from .check import document_units
    from .evaluate import jsonl_testset, read_lines

    if not texts and not jsonls:
        raise ZhenError("give parallel text: --text ZH EN (line-aligned files) or --jsonl FILE (zh/en documents).")
    pairs = []
    for zh, en in texts:
        zh_lines, en_lines = read_lines(zh, allow_empty=True), read_lines(en, allow_empty=True)
        if len(zh_lines) != len(en_lines):
            raise ZhenError(f"{en}: has {len(en_lines)} lines, {zh} has {len(zh_lines)}; --text needs line-aligned files.")
        pairs += zip(zh_lines, en_lines)
    for path in jsonls:
        testset = jsonl_testset([path])
        zh_units, en_units, _ = document_units(testset.sources, testset.references[0])
        pairs += zip(zh_units, en_units)
    out = output or default_priors()
    started = time.monotonic()
    n = build_priors(pairs, out)
    _say(quiet, f"zhen: align-priors: {n} sentence pairs in {time.monotonic() - started:.1f} s → {out}")


def _unit_labels(documents: list[int]) -> list[str]:
    """``document:paragraph`` for each unit of a jsonl file (1-based, as editors count)."""
    out, seen = [], {}
    for d in documents:
        seen[d] = seen.get(d, 0) + 1
        out.append(f"{d + 1}:{seen[d]}")
    return out


def _check_table(report) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="what the translation lacks or writes otherwise")
    for column in ("unit", "kind", "source", "required", "status", "written"):
        table.add_column(column)
    for f in report.problems:
        table.add_row(report.label(f.unit), f.kind, f.source, f.target, f.status, f.seen or "")
    for unit, start, end in report.unpaired:
        sentence = report.texts[unit - 1][0][start:end].strip()
        table.add_row(report.label(unit), "sentence", sentence if len(sentence) <= 40 else sentence[:39] + "…",
                      "its English", "untranslated", "")
    for item in report.inconsistent:
        table.add_row("all", "term", item["source"], "one rendering", "inconsistent",
                      "; ".join(f"{k} ×{n}" for k, n in item["renderings"].items()))
    Console(width=160).print(table)


@cli.command("eval")
@click.option("--suite", type=click.Path(path_type=Path, dir_okay=False), help="A suite file from eval/.")
@click.option("--source", type=click.Path(path_type=Path, dir_okay=False), help="Source text, a line per unit.")
@click.option("--ref", "refs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Reference text, line-aligned with --source; repeat for several references.")
@click.option("--jsonl", "jsonl", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Documents with zh, en and proper fields (the WMT 2025 terminology form).")
@click.option("--testset", help="A sacrebleu test set, e.g. wmt20:zh-en (from its cache; offline if pre-filled).")
@click.option("--hyp", "hyps", multiple=True, metavar="NAME=PATH", help="A system's output; repeatable.")
@options(model={"help": "Also translate the source with zhen and this model."})
@click.option("--baseline", help="System the others are tested against (paired bootstrap).")
@click.option("--bootstrap", type=click.IntRange(0), default=None, help="Resamples [default: suite's, or 1000].")
@click.option("--metrics", help="Comma-separated subset of bleu,chrf,chrf++,ter,terms,consistency,numbers.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False), help="Write the HTML report.")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False), help="Write the scores as JSON.")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), help="The suite's data folder.")
@click.option("--years", help="Comma-separated years: a part of a year-based suite.")
@click.option("--allow-empty", is_flag=True, help="Score empty hypothesis lines as empty instead of refusing.")
@click.option("--quiet", "-q", is_flag=True)
def eval_command(suite: Path | None, source: Path | None, refs: tuple[Path, ...], jsonl: tuple[Path, ...],
                 testset: str | None, hyps: tuple[str, ...], baseline: str | None, bootstrap: int | None,
                 metrics: str | None, html_out: Path | None, json_out: Path | None, data: Path | None,
                 years: str | None, allow_empty: bool, quiet: bool, **given) -> None:
    """Score systems against references (BLEU, chrF, chrF++, TER, term success, numbers), with
    significance, signatures and an HTML report."""
    import json

    from .evaluate import METRICS, evaluate, hypotheses_from_file, jsonl_testset, print_table, sacrebleu_testset
    from .evaluate import EvalError, text_testset, translate_testset
    from .glossary import Glossary

    settings = Settings.take(given)
    _configure_logging(0, quiet)
    if len([x for x in (suite, source, jsonl, testset) if x]) != 1:
        raise EvalError("give exactly one of --suite, --source with --ref, --jsonl, or --testset.")
    chosen_metrics = tuple(m.strip() for m in metrics.split(",")) if metrics else METRICS
    per_unit = False
    if suite:
        from .suites import load_suite

        s = load_suite(suite, data=data, years=[int(y) for y in years.split(",")] if years else None)
        ts, systems = s.testset, list(s.systems)
        baseline = baseline or s.baseline
        bootstrap = s.bootstrap if bootstrap is None else bootstrap
        chosen_metrics = chosen_metrics if metrics else (s.metrics or METRICS)
        per_unit = True
    elif jsonl:
        ts, systems, per_unit = jsonl_testset(list(jsonl)), [], True
    elif testset:
        ts, systems = sacrebleu_testset(testset), []
    else:
        ts, systems = text_testset(source, list(refs)), []
    for spec in hyps:
        name, sep, path = spec.partition("=")
        if not sep:
            name, path = Path(spec).stem, spec
        systems.append(hypotheses_from_file(path, ts, name, allow_empty=allow_empty))
    if settings.model:
        # a year-based suite or WMT jsonl gives each unit its own dictionary, in place of the shipped lists
        pipe = settings.pipeline(glossary=Glossary() if per_unit and not settings.glossaries else None)
        with _progress(None, quiet) as advance:
            systems.append(translate_testset(ts, pipe, per_unit_glossary=per_unit, progress=advance))
    report = evaluate(ts, systems, metrics=chosen_metrics, baseline=baseline,
                      bootstrap=1000 if bootstrap is None else bootstrap)
    print_table(report, chosen_metrics)
    if html_out:
        from .eval_report import render_html

        write_output(render_html(report, ts, {s.name: s.hypotheses for s in systems}), html_out)
    if json_out:
        write_output(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", json_out)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 to serve the office network.")
@click.option("--port", type=click.IntRange(1, 65535), default=7860, show_default=True)
@options(glossaries={"help": "A glossary always on in the page, besides the shipped ones you tick; repeatable.",
                     "type": click.Path(path_type=Path, dir_okay=False, exists=True)},
         skip=("shipped_glossaries",))
@click.option("--auth", "auth_pairs", multiple=True, metavar="USER:PASSWORD",
              help="Ask for this login before the page opens; repeatable.")
@click.option("--auth-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Logins, one USER:PASSWORD per line (# comments), for an office deployment.")
def demo(host: str, port: int, auth_pairs: tuple[str, ...], auth_file: Path | None, **given) -> None:
    """Serve the staff demo page (Gradio): paste or upload, get the bilingual result, audit and summary."""
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise ZhenError("the demo needs Gradio: `pip install 'zhen[demo]'`.") from None
    from .demo import launch, read_auth

    settings = Settings.take(given)
    _configure_logging(0, False)
    auth = read_auth(auth_pairs, auth_file)  # a bad auth file is refused before the model loads
    click.echo(f"zhen demo: loading the model, then serving http://{host}:{port}/", err=True)
    launch(settings, host=host, port=port, auth=auth)


@cli.command()
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option("--output", "-o", "outdir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Output folder; it mirrors the input's structure and holds the job's state.")
@click.option("--formats", default="json,md", show_default=True,
              help="Comma-separated: json, jsonl (a segment per line), md, docx, tmx, xliff, txt.")
@click.option("--summarize", "with_summary", is_flag=True, help="Also write a 3-sentence bilingual summary per document.")
@options(engine={"type": click.Choice(["auto", "transformers", "ct2", "ray"]),
                 "help": "ray: short for --runner ray with the transformers engine."},
         max_input_mb={"flags": ("--max-doc-mb", "--max-input-mb"),
                       "help": "Larger documents (or archive entries) are refused and recorded."})
@click.option("--runner", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: translate on a Ray cluster (pip install 'zhen[ray]'); --engine still picks the model runtime.")
@click.option("--workers", type=click.IntRange(1, 4096),
              help="Model-holding workers: local processes sharing the cores [default: 1, this process], "
                   "or Ray actors with one CPU each [default: 2].")
@click.option("--ray-address", help="Ray: join this cluster ('auto', 'ray://head:10001') [default: start a local one].")
@click.option("--quiet", "-q", is_flag=True)
def batch(source: Path, outdir: Path, formats: str, with_summary: bool, runner: str, workers: int | None,
          ray_address: str | None, quiet: bool, **given) -> int:
    """Translate a folder tree, a .zip/.tar.gz archive or a JSONL file of releases into -o OUTDIR.

    Resumable: run the same command again after an interruption and it finishes the job; the
    outputs are the same as an uninterrupted run's. Exit 9 if any document failed or was refused.
    """
    from tqdm import tqdm

    from .batch import check_formats, run_batch
    from .batch.sources import Limits, check_source

    if given["engine"] == "ray":
        given["engine"], runner = "transformers", "ray"
    settings = Settings.take(given)
    _configure_logging(0, quiet)
    limits = Limits(max_doc_bytes=settings.max_input_bytes)
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    check_formats(wanted)  # refused before anything is listed or loaded
    check_source(source)  # a wrong kind of input is refused before the model loads
    from .batch import job_lock
    from .files import check_writable

    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"-o {outdir}: cannot be made ({exc.strerror or exc}); choose another output folder.") from None
    check_writable(outdir)
    with job_lock(outdir):  # a job already running there is refused before the model loads
        pass
    pipeline = settings.pipeline()
    engine, options = pipeline.engine.name, settings.decoding()  # the engine "auto" chose, in every worker
    chunk_runner = None
    if runner == "local" and workers and workers > 1:
        from .batch.runners import ProcessRunner

        chunk_runner = ProcessRunner(str(pipeline.engine.model_info.path), engine, options, workers=workers)
    if runner == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ZhenError("--runner ray needs Ray: `pip install 'zhen[ray]'`.") from None
        from .batch.runners import RayRunner

        chunk_runner = RayRunner(str(pipeline.engine.model_info.path), engine, options, workers=workers or 2,
                                 address=ray_address)
    seg_bar = tqdm(unit="seg", desc="translating", disable=quiet, dynamic_ncols=True)
    bar = tqdm(unit="doc", desc="documents", disable=quiet, dynamic_ncols=True)
    started = time.monotonic()

    def tick(path: str, segments: int) -> None:
        elapsed = max(time.monotonic() - started, 1e-9)
        bar.set_postfix_str(f"{segments / elapsed:.1f} seg/s", refresh=False)
        bar.update(1)

    try:
        def planned(documents: int) -> None:  # the input is listed once, by the job's first pass
            bar.total = documents
            bar.refresh()

        report = run_batch(source, outdir, pipeline, formats=wanted, summarize=with_summary, limits=limits,
                           progress=tick, runner=chunk_runner, chunk_progress=seg_bar.update, planned=planned)
    finally:
        seg_bar.close()
        bar.close()
    for problem in report.problems[:20]:
        _say(quiet, f"zhen: {problem}")
    if len(report.problems) > 20:
        _say(quiet, f"zhen: … {len(report.problems) - 20} more in {outdir / 'manifest.jsonl'}")
    _say(quiet, f"zhen: {report.line()}")
    return 9 if report.failed or report.refused else 0


@cli.group()
def models() -> None:
    """List local models, or pull one from the hub."""


@models.command("list")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False))
def models_list(models_dir: Path | None) -> None:
    """Models in the models folder, and where zhen looks for them."""
    from .families import family_at
    from .models import list_models, models_dir as resolve_dir

    root = resolve_dir(models_dir)
    found = list_models(root)
    click.echo(f"models folder: {root}" + ("" if root.is_dir() else " (does not exist yet)"))
    if not found:
        click.echo("no local models; `zhen models pull Helsinki-NLP/opus-mt-zh-en` fetches the default.")
    for m in found:
        family = family_at(m.path)
        kind = family.label if family else "unknown kind (refused)"
        click.echo(f"{m.name}\t{kind}\t{family.licence if family else '?'}\t{m.revision}\t{m.size_mb:.0f} MB")
    click.echo("lookup order: --model PATH, then models folder/<name>, then the Hugging Face cache, then download.")


@models.command("pull")
@click.argument("name", default="Helsinki-NLP/opus-mt-zh-en")
@click.option("--revision", help="A branch, tag or commit of the hub repository.")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False))
def models_pull(name: str, revision: str | None, models_dir: Path | None) -> None:
    """Download a model snapshot from the hub into the models folder."""
    from .models import pull_model

    _configure_logging(0, False)
    got = pull_model(name, models_root=models_dir, revision=revision)
    click.echo(f"{got.name} @ {got.revision} → {got.path}")


@models.command("convert")
@click.argument("name", default="Helsinki-NLP/opus-mt-zh-en")
@click.option("--int8", "quantization", flag_value="int8", default=True, help="Store int8 weights (default).")
@click.option("--float32", "quantization", flag_value="float32", help="Store float32 weights.")
@click.option("--force", is_flag=True, help="Convert again even if a conversion of this revision exists.")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False))
def models_convert(name: str, quantization: str, force: bool, models_dir: Path | None) -> None:
    """Convert a local model for --engine ct2 (CTranslate2's own converter), cached beside it."""
    from .models import convert_model, resolve_model

    _configure_logging(0, False)
    resolved = resolve_model(name, models_root=models_dir, download=False)
    started = time.monotonic()
    path = convert_model(resolved, quantization, models_root=models_dir, force=force)
    click.echo(f"{resolved.name} @ {resolved.revision} → {path} ({quantization}, {time.monotonic() - started:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (for tests and embedding)."""
    try:
        result = cli.main(args=argv, prog_name="zhen", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except ZhenError as exc:
        click.echo(f"zhen: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("zhen: interrupted", err=True)
        return 130


def run() -> None:
    sys.exit(main())
