"""The staff demo: a Gradio page over the same pipeline as the CLI.

*Translate*: paste a release or upload one (.txt/.md/.html/.docx), pick glossaries (the shipped ones,
plus a TSV/TBX/CSV/JSON uploaded for this session only), and get the English side by side with the
Chinese, glossary terms highlighted in both, any segment with a problem flagged; the bilingual
summary; the term audit; and the result as Markdown, JSON, DOCX and TMX.

*Check & fix a draft*: paste the Chinese and an English draft made elsewhere (a paragraph a line),
and get ``zhen check``'s audit and ``zhen fix``'s English, each finding and each edit highlighted,
to download as text and as the HTML report. The model runs only for what the draft left out (a
paragraph with no English, a sentence dropped), which it translates as the first tab would.

The model is loaded once at start-up and serves every user: up to four translations run at once,
their segments decoded together in the same engine calls (:mod:`zhen.serving`), each request taking a
fair share of every call, so a long paste does not hold back a short one that comes after it. A
translation shows its expected time as it starts (the engine's recent pace) and the time left as it
goes, and *Cancel* stops it at once, its segments leaving the engine's next calls. The check tab runs
one request at a time.

``zhen demo [--host 127.0.0.1] [--port 7860] [--model M] [--engine E] [--glossary G ...]``
"""

from __future__ import annotations

import dataclasses
import html
import ipaddress
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from .errors import ZhenError
from .glossary import Glossary, load_layers, shipped_glossaries
from .pipeline import Pipeline
from .settings import Settings
from .readers import read_bytes
from .release import Paragraph, Release
from .exporters import marked_pieces, term_spans
from .normalize import describe_repairs
from .quality import quality_line, segment_note
from .requirements import placement_stats
from .serving import Cancelled, SharedEngine
from .check import CSS as CHECK_CSS

log = logging.getLogger(__name__)

#: pasted text or an uploaded file larger than this is refused with a message (the CLI's default)
DEFAULT_MAX_CHARS = 200_000
NOT_RECEIVED = "The file is not one this page received; upload it again with the page's file box."

CSS = """
#side-by-side table { width: 100%; border-collapse: collapse; }
#side-by-side td { vertical-align: top; padding: 6px 10px; border-bottom: 1px solid #ddd; width: 50%; }
#side-by-side tr.review td { background: #fff4d6; }
mark.term { background: #d7ecff; padding: 0 2px; border-radius: 3px; }
.flag { display: block; color: #9a5b00; font-size: 0.9em; margin-top: 4px; }
.kind { color: #888; font-size: 0.8em; }
"""


def _scoped(css: str, scope: str) -> str:
    """``css`` with every selector put under ``scope``, so a report's rules touch nothing else."""
    return re.sub(r"([^{}]+)\{", lambda m: ",".join(f"{scope} {sel.strip()}" for sel in m.group(1).split(",")) + "{",
                  css)


# --- rendering -------------------------------------------------------------------------------
def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(f'<mark class="term">{html.escape(piece)}</mark>' if term else html.escape(piece)
                   for piece, term in marked_pieces(text, spans))


def _problems(p: Paragraph) -> list[str]:
    notes = []
    for seg in p.segments:
        for h in seg.terms:
            if not h.found and h.method != "off":
                notes.append(f"missing {h.kind}: {h.source} → {h.target}")
            elif h.method == "last-resort":
                notes.append(f"{h.kind} inserted after decoding: {h.source} → {h.target}")
        if seg.quality:
            notes.append(segment_note(seg))
    return notes


def side_by_side(release: Release) -> str:
    rows = ["<table><tr><th>中文</th><th>English</th></tr>"]
    for p in release.paragraphs:
        zh = _marked(p.as_received, term_spans(p))
        en_text = p.translation if p.translation is not None else ""
        en = _marked(en_text, term_spans(p, en_text))
        problems = _problems(p)
        flags = "".join(f'<span class="flag">⚠ {html.escape(n)}</span>' for n in problems)
        kind = f'<span class="kind">{p.kind}</span> ' if p.kind != "body" else ""
        rows.append(f'<tr class="{"review" if problems else "ok"}"><td>{kind}{zh}</td><td>{en}{flags}</td></tr>')
    rows.append("</table>")
    return "\n".join(rows)


def summary_html(summary) -> str:
    if not summary.sentences:
        return "<p>" + html.escape("; ".join(summary.notes) or "nothing to summarize") + "</p>"
    items = "".join(f"<li><div>{html.escape(s.text.strip())}</div><div><em>{html.escape(s.english or '')}</em></div></li>"
                    for s in summary.sentences)
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in summary.notes)
    return f'<ol class="summary">{items}</ol>{notes}'


def audit_rows(release: Release) -> list[list[str]]:
    return [[h.source, h.target, h.kind, "yes" if h.found else "no", h.method]
            for s in release.segments() for h in s.terms]


# --- one request -----------------------------------------------------------------------------
@dataclasses.dataclass
class Demo:
    pipeline: Pipeline
    fixed_glossaries: tuple[Path, ...] = ()
    max_chars: int = DEFAULT_MAX_CHARS
    out_dir: Path = dataclasses.field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="zhen-demo-")))
    #: the folder where Gradio keeps what the page's users uploaded [default: Gradio's own]
    upload_root: Path | None = None
    #: requests translated at once (their segments decoded together by :class:`SharedEngine`)
    concurrency: int = 4
    shared: SharedEngine | None = None

    def __post_init__(self) -> None:
        if self.shared is None:
            self.shared = SharedEngine(self.pipeline)

    def received(self, path: str) -> Path:
        """``path`` if it is a file that this page received. A client names the path in the
        FileData it sends; Gradio (5.0 to 6.31 at least) refuses one outside its upload folder on
        its HTTP routes, but the demo must not depend on that (a direct call, a route or version
        without the check, an ``allowed_paths`` added later): the real path (``..`` and links
        resolved) must lie inside the upload folder, or nothing is read."""
        if self.upload_root is None:
            from gradio.utils import get_upload_folder

            self.upload_root = Path(get_upload_folder())
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(self.upload_root)) or not real.is_file():
            log.warning("demo: refused a file outside the upload folder: %s", path)
            raise ZhenError(NOT_RECEIVED)
        return real

    def shipped(self) -> dict[str, Path]:
        return {p.stem: p for p in shipped_glossaries()}

    def header(self) -> str:
        sig = self.pipeline.engine.signature()
        fixed = ", ".join(p.name for p in self.fixed_glossaries) or "none"
        return (f"**Model** `{sig.get('model')}` · **engine** `{sig.get('engine')}`"
                + (f" ({sig['compute_type']})" if sig.get("compute_type") else "")
                + f" · beam {sig.get('beam')} · **always-on glossaries**: {fixed} · "
                f"shipped glossaries: {len(self.shipped())} (choose below) · input limit {self.max_chars:,} characters")

    def read(self, text: str | None, upload: str | None) -> Release:
        if upload:
            path = self.received(upload)  # read_bytes refuses it, naming the limit, if it is too large
            release = read_bytes(path.read_bytes(), path.name, max_bytes=self.pipeline.max_input_bytes,
                                 whole_page=self.pipeline.whole_page)
        else:
            text = (text or "").strip()
            if not text:
                raise ZhenError("Paste a release or upload a file first.")
            if len(text) > self.max_chars:
                raise ZhenError(f"The text has {len(text):,} characters, over the demo's limit of "
                                f"{self.max_chars:,}; split it, or use the CLI or a batch job.")
            release = read_bytes(text.encode("utf-8"), "pasted.txt")
        if sum(len(p.text) for p in release.paragraphs) > self.max_chars:
            raise ZhenError(f"The release is over the demo's limit of {self.max_chars:,} characters; use the CLI.")
        return release

    def glossary(self, chosen: list[str] | None, session_file: str | None):
        shipped = self.shipped()
        layers = [shipped[name] for name in (chosen or []) if name in shipped]
        layers += list(self.fixed_glossaries)
        if session_file:
            layers.append(self.received(session_file))
        return load_layers(layers, shipped=False, user=False)

    def run(self, text, upload, chosen, session_file, sentences, progress=None,
            cancel: threading.Event | None = None):
        """Everything the page shows, as a dict; ``status`` says what happened (or what went wrong).
        ``progress(fraction, desc=…)`` is told the segments done and the time left; setting ``cancel``
        stops the translation (:class:`~zhen.serving.Cancelled`)."""
        started = time.monotonic()
        release = self.read(text, upload)
        pipe = dataclasses.replace(self.pipeline, glossary=self.glossary(chosen, session_file))
        release = pipe.segment(release)
        total = max(1, pipe.count_units(release))
        done = [0]
        expected = self.shared.expected_seconds(total)
        if progress is not None:
            progress(0.0, desc=f"translating {total} segments"
                     + (f", about {_duration(expected)} expected" if expected is not None else ""))

        def tick(n: int) -> None:
            done[0] += n
            if progress is not None:
                spent = time.monotonic() - started
                left = spent / done[0] * (total - done[0])
                progress(min(1.0, done[0] / total),
                         desc=f"translating {done[0]}/{total} segments, about {_duration(left)} left")

        translated = self.shared.translate(pipe, release, progress=tick, cancel=cancel)
        from .summarizer import summarize

        summary = summarize(translated, pipe, sentences=int(sentences)) if sentences else None
        stats = placement_stats(translated.segments())
        t, f = stats["terms"], stats["fidelity"]
        review = sum(s.review for s in translated.segments())
        status = (f"Translated {len(translated.segments())} segments in {time.monotonic() - started:.1f} s. "
                  f"Glossary: {t.placed}/{t.total} terms placed, {t.without_last_resort}/{t.total} without last "
                  f"resort; numbers, dates, names: {f.placed}/{f.total}."
                  + (f" Quality: {quality}." if (quality := quality_line(translated.segments())) else "")
                  + (f" Repaired source: {describe_repairs(translated.repairs)}." if translated.repairs else "")
                  + (f" ⚠ {review} segments flagged for review." if review else ""))
        return {"status": status, "side": side_by_side(translated),
                "summary": summary_html(summary) if summary else "", "audit": audit_rows(translated),
                "files": self.export(translated)}

    def check(self, source: str | None, draft: str | None, chosen, session_file) -> dict:
        """``zhen check`` and ``zhen fix`` on a pasted source and English draft, as a dict for the
        page's second tab. The source is read as a release (a paragraph a unit); the draft gives a
        line per paragraph (a blank line for one not yet translated), and where the counts differ
        (paragraphs merged or split) they are paired by length and numbers, as ``zhen check`` pairs a
        WMT document's. What the draft left out is translated through the shared engine."""
        from .align import paragraph_beads
        from .check import check_texts, fix_texts, render_html
        from .engines import attention_reader

        started = time.monotonic()
        release = self.read(source, None)
        draft = (draft or "").strip()
        if not draft:
            raise ZhenError("Paste the English draft too: a paragraph a line.")
        if len(draft) > self.max_chars:
            raise ZhenError(f"The draft has {len(draft):,} characters, over the demo's limit of {self.max_chars:,}; "
                            "use `zhen fix` on the command line.")
        zh = [p.text for p in release.paragraphs]
        lines = [line.strip() for line in draft.splitlines()]
        if len(lines) == len(zh):  # a line a paragraph, a blank one where the draft has none yet
            en, units = lines, [([i], [i]) for i in range(len(zh))]
        else:
            en = [line for line in lines if line]
            units = paragraph_beads(zh, en)
        sources = [" ".join(zh[i] for i in zs) for zs, _ in units]
        english = [" ".join(en[j] for j in es) for _, es in units]
        pipe = dataclasses.replace(self.pipeline, glossary=self.glossary(chosen, session_file))
        report = check_texts(pipe, sources, english)
        report.labels = [f"¶{'+'.join(str(i + 1) for i in zs) or '–'}" for zs, _ in units]
        fixed = fix_texts(pipe, report, translate=lambda texts, _: self._translate_texts(pipe, texts),
                          attention=attention_reader(pipe.engine))
        status = (f"Checked {len(zh)} paragraphs in {time.monotonic() - started:.1f} s: {report.tally()}. "
                  f"Fixed with {len(fixed.edits)} edit{'' if len(fixed.edits) == 1 else 's'}" + (f" ({fixed.tally()})" if fixed.edits else "")
                  + (f"; {len(fixed.kept)} left as they are ({fixed.kept_reason()})" if fixed.kept else "")
                  + (f"; ⚠ paragraphs {', '.join(report.label(u) for u in fixed.review)} have an insertion, "
                     "the model's translation or a term left as it is: read them" if fixed.review else "")
                  + (f"; ⚠ {report.left_out('paragraph')} (translated by the model: read them)"
                     if report.untranslated or report.unpaired else "") + ".")
        folder = Path(tempfile.mkdtemp(prefix="fix-", dir=self.out_dir))
        text_path, report_path = folder / "zhen-fixed.txt", folder / "zhen-check.html"
        text_path.write_text("\n".join(fixed.english) + "\n", encoding="utf-8")
        report_path.write_text(render_html(report, fixed), encoding="utf-8")
        return {"status": status, "report": render_html(report, fixed, fragment=True),
                "fixed": "\n".join(fixed.english), "files": [str(text_path), str(report_path)]}

    def _translate_texts(self, pipe, texts: list[str]) -> list[str]:
        """``texts`` translated through the shared engine (so a check's left-out sentences queue with
        other staff's translations): one release, a paragraph each."""
        from .pipeline import english_lines, lines_release

        return english_lines(self.shared.translate(pipe, lines_release(texts)))

    def export(self, release: Release) -> list[str]:
        from .exporters import render

        folder = Path(tempfile.mkdtemp(prefix="result-", dir=self.out_dir))
        paths = []
        for fmt, ext in (("md", "md"), ("json", "json"), ("docx", "docx"), ("tmx", "tmx")):
            data = render(release, fmt)
            path = folder / f"zhen-translation.{ext}"
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            paths.append(str(path))
        return paths


def _duration(seconds: float) -> str:
    """A time to wait, as a person says it: 8 s, 40 s, 3 min."""
    if seconds < 55:
        return f"{max(1, round(seconds))} s"
    return f"{max(1, round(seconds / 60))} min"


# --- the page --------------------------------------------------------------------------------
def build_app(demo: Demo):
    import gradio as gr

    # a browser session's translations in progress (Translate pressed again before the first ended: both), to cancel
    running: dict[str, set[threading.Event]] = {}

    def handle(text, upload, chosen, session_file, sentences, request: gr.Request, progress=gr.Progress()):
        cancel = threading.Event()
        running.setdefault(request.session_hash, set()).add(cancel)
        try:
            out = demo.run(text, upload, chosen, session_file, sentences, progress=progress, cancel=cancel)
        except Cancelled as exc:
            return str(exc), "", "", [], None
        except ZhenError as exc:
            return _error(exc, upload, session_file), "", "", [], None
        finally:
            mine = running.get(request.session_hash, set())
            mine.discard(cancel)
            if not mine:
                running.pop(request.session_hash, None)
        return out["status"], out["side"], out["summary"], out["audit"], out["files"]

    def stop(request: gr.Request):
        cancels = running.pop(request.session_hash, set())
        if not cancels:
            return "Nothing is being translated."
        for cancel in cancels:
            cancel.set()
        return "Cancelled: nothing of this translation was kept."

    # Gradio hands a request to a parameter annotated gr.Request; this module's annotations are strings
    # it cannot resolve (gradio is imported here only), so they are given as the class itself
    handle.__annotations__["request"] = stop.__annotations__["request"] = gr.Request

    def handle_check(source, draft, chosen, session_file):
        try:
            out = demo.check(source, draft, chosen, session_file)
        except ZhenError as exc:
            return _error(exc, session_file), "", "", None
        return out["status"], out["report"], out["fixed"], out["files"]

    # nothing leaves the machine: no usage analytics (staff may not send anything to a cloud service)
    with gr.Blocks(title="zhen — Chinese releases into English", analytics_enabled=False) as app:
        gr.Markdown("## zhen — Chinese official releases into publishable English")
        gr.Markdown(demo.header(), elem_id="engine-info")
        with gr.Tab("Translate", elem_id="translate-tab"):
            translate_tab(demo, handle, stop)
        with gr.Tab("Check & fix a draft", elem_id="check-tab"):
            check_tab(demo, handle_check)
    return app


def _error(exc: ZhenError, *uploads: str | None) -> str:
    """The error as the page shows it, naming the user's file, not Gradio's temporary copy."""
    message = str(exc)
    for uploaded in uploads:
        if uploaded:
            message = message.replace(str(Path(uploaded).parent) + "/", "")
    return f"⚠ **Error:** {html.escape(message)}"


def _glossary_pickers(demo: Demo, prefix: str = ""):
    """The shipped glossaries to tick and the box for a session's own glossary, as both tabs have them."""
    import gradio as gr

    chosen = gr.CheckboxGroup(choices=sorted(demo.shipped()), value=sorted(demo.shipped()),
                              label="Shipped glossaries", elem_id=f"{prefix}glossaries")
    session_file = gr.File(label="Your glossary for this session (.tsv/.csv/.tbx/.json)",
                           file_types=[".tsv", ".csv", ".tbx", ".json", ".txt"], type="filepath",
                           elem_id=f"{prefix}session-glossary")
    return chosen, session_file


def check_tab(demo: Demo, handle) -> None:
    """The second tab: a pasted source and English draft in, the audit and the fixed English out."""
    import gradio as gr

    gr.Markdown("Paste the Chinese and an English draft made elsewhere (DeepL, an LLM, a colleague), "
                "a paragraph a line (a blank line for one not yet translated). Every glossary term, number, "
                "date and name is checked, and the draft is fixed with the smallest edits; the model "
                "translates only what the draft left out.")
    with gr.Row():
        source = gr.Textbox(label="Chinese", lines=10, elem_id="check-source")
        draft = gr.Textbox(label="English draft", lines=10, elem_id="check-draft")
    with gr.Row():
        chosen, session_file = _glossary_pickers(demo, "check-")
    go = gr.Button("Check and fix", variant="primary", elem_id="check-btn")
    status = gr.Markdown(elem_id="check-status")
    report = gr.HTML(elem_id="check-report")
    fixed = gr.Textbox(label="Fixed English (each edit is marked in the report above)", lines=8,
                       elem_id="check-fixed", interactive=False)
    files = gr.File(label="Download: fixed English, HTML report", file_count="multiple", elem_id="check-downloads")
    go.click(handle, [source, draft, chosen, session_file], [status, report, fixed, files],
             api_name="check", concurrency_limit=1)


def translate_tab(demo: Demo, handle, stop) -> None:
    """The first tab: a release in, its English, summary, audit and files out; *Cancel* stops it."""
    import gradio as gr

    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox(label="Paste a release (Chinese)", lines=12, elem_id="source-text")
            upload = gr.File(label="…or upload .txt / .md / .html / .docx", file_types=[".txt", ".md", ".html", ".htm", ".docx"],
                             type="filepath", elem_id="source-file")
            gr.Markdown("Only files uploaded in this page are read; nothing else on the server is.",
                        elem_id="upload-note")
        with gr.Column(scale=2):
            chosen, session_file = _glossary_pickers(demo)
            sentences = gr.Slider(0, 10, value=3, step=1, label="Summary sentences (0: none)", elem_id="summary-length")
            with gr.Row():
                go = gr.Button("Translate", variant="primary", elem_id="translate-btn")
                cancel = gr.Button("Cancel", variant="stop", elem_id="cancel-btn")
    status = gr.Markdown(elem_id="status")
    with gr.Tab("Side by side"):
        side = gr.HTML(elem_id="side-by-side")
    with gr.Tab("Summary"):
        summary = gr.HTML(elem_id="summary")
    with gr.Tab("Term audit"):
        audit = gr.Dataframe(headers=["中文", "English", "kind", "placed", "method"], elem_id="audit",
                             interactive=False)
    files = gr.File(label="Download: Markdown, JSON, DOCX, TMX", file_count="multiple", elem_id="downloads")
    event = go.click(handle, [text, upload, chosen, session_file, sentences], [status, side, summary, audit, files],
                     api_name="translate", concurrency_limit=demo.concurrency)
    # the engine drops the request's segments (stop), and the page stops waiting for it (cancels)
    cancel.click(stop, None, [status], cancels=[event], api_name="cancel", concurrency_limit=None, queue=False)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def read_auth(pairs: tuple[str, ...] = (), auth_file: Path | None = None) -> list[tuple[str, str]]:
    """``user:password`` pairs from the command line and from a file (one per line, ``#`` comments)."""
    found: list[tuple[str, str]] = [(p, "--auth") for p in pairs]
    if auth_file is not None:
        try:
            lines = Path(auth_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ZhenError(f"{auth_file}: cannot read the auth file ({exc}).") from None
        found += [(line.strip(), f"{auth_file}:{n}") for n, line in enumerate(lines, 1)
                  if line.strip() and not line.lstrip().startswith("#")]
    out = []
    for pair, where in found:
        user, sep, password = pair.partition(":")
        if not sep or not user.strip() or not password:
            raise ZhenError(f"{where}: expected user:password, with a non-empty user and password.")
        out.append((user.strip(), password))
    return out


def launch(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           auth: list[tuple[str, str]] | None = None):
    """Load the model once, build the page, serve it (queued; translations share the engine).

    ``settings`` are the model's and the translation's (its ``glossaries`` are always on in the
    page, besides the shipped ones a user ticks). ``auth``: user/password pairs Gradio asks for
    before the page opens. On a host other than loopback the page is open to the network, which is
    said on stderr (more loudly without auth).
    """
    settings = settings or Settings()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # also Gradio's version check at start-up
    if not is_loopback(host):
        log.warning("demo: serving on %s: anyone who can reach this machine on port %d can use the page%s",
                    host, port, "" if auth else "; add --auth user:password (or --auth-file) to ask for a login")
    glossaries = tuple(settings.glossaries)
    for g in glossaries:  # a bad always-on glossary stops start-up with its error, not a page
        load_layers([g], shipped=False, user=False)
    pipeline = settings.pipeline(glossary=Glossary())  # each request gets the glossaries its user chose
    demo = Demo(pipeline, tuple(glossaries))
    app = build_app(demo)
    app.queue(default_concurrency_limit=1, max_size=32)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=not block, show_error=True,
               max_file_size="20mb", allowed_paths=[str(demo.out_dir)], css=CSS + _scoped(CHECK_CSS, ".zhen-check"),
               auth=auth or None)
    return app, demo
