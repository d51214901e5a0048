"""One pass through one pipeline: requirements found once, English post-processed by one pure
function, text that is not a file never re-read through the file readers, and the summary's English
taken from where its sentences stand in the release."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.conftest import SAMPLE
from tests.test_cli import zhen
from zhen.engines import DecodingOptions
from zhen.pipeline import Pipeline, english_lines, postprocess
from zhen.readers import read_release
from zhen.requirements import RequirementFinder


@pytest.fixture(scope="module")
def pipe(tiny_model):
    from zhen.glossary import load_layers

    return Pipeline.load(tiny_model, options=DecodingOptions(beam_size=1), glossary=load_layers())


class CountingEngine:
    """The real engine, with its calls counted (instrumentation, not a stand-in)."""

    def __init__(self, engine):
        self.engine, self.calls = engine, []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def translate_batch(self, texts, **kw):
        self.calls.append(len(texts))
        return self.engine.translate_batch(texts, **kw)


def test_requirements_are_found_once_per_paragraph(pipe, monkeypatch):
    calls = []
    real = RequirementFinder.find

    def counted(self, text, offset=0):
        calls.append(text)
        return real(self, text, offset)

    monkeypatch.setattr(RequirementFinder, "find", counted)
    release = pipe.read(SAMPLE)
    translated = pipe.run(release)
    assert len(calls) == len(release.paragraphs) < len(translated.segments())
    assert calls == [p.text for p in release.paragraphs]
    # and the audit is the one the per-segment finder gives: nothing lost by slicing
    monkeypatch.setattr(RequirementFinder, "find", real)
    finder = pipe.finder(release)
    for p in translated.paragraphs:
        for seg in p.segments:
            expected = [(h.start, h.end, h.target) for h in finder.find(seg.source, offset=seg.start)]
            assert [(h.start, h.end, h.target) for h in seg.terms] == expected


def test_postprocess_audits_any_english_and_leaves_its_input_alone(pipe):
    segmented = pipe.segment(pipe.read(SAMPLE))
    before = json.dumps(segmented.to_dict(), ensure_ascii=False)
    seg = next(s for s in segmented.segments() if any(h.kind == "term" for h in s.terms))
    term = next(h for h in seg.terms if h.kind == "term")
    drafts = [f"A draft that says {term.target}." if s is seg else "A draft." for s in segmented.segments()]
    drafts += ["Xinhua"] if segmented.metadata.source else []
    checked = postprocess(segmented, drafts, last_resort=False, method="draft")
    assert json.dumps(segmented.to_dict(), ensure_ascii=False) == before  # pure
    out = next(s for s in checked.segments() if s.id == seg.id)
    placed = next(h for h in out.terms if h.start == term.start)
    assert placed.found and placed.method == "draft"
    assert all(not h.found and h.method == "missing" for s in checked.segments() if s.id != seg.id
               for h in s.terms if h.method != "off" and h.target not in s.target)
    assert not any(s.review for s in checked.segments())
    fixed = postprocess(segmented, drafts, last_resort=True)
    assert all(h.found for s in fixed.segments() for h in s.terms if h.method != "off")
    assert any(s.review for s in fixed.segments())
    with pytest.raises(ValueError, match="translations for"):
        postprocess(segmented, drafts[:-2])


def test_translate_texts_keeps_metadata_like_lines_and_makes_one_engine_call(pipe):
    counting = CountingEngine(pipe.engine)
    p = replace(pipe, engine=counting)
    texts = ["来源：新华社", "2023年9月18日\n\n一是加强合作。", "- 一是推进绿色发展。"]
    releases = p.translate_texts(texts)
    assert len(counting.calls) == 1
    assert [len(english_lines(r)) for r in releases] == [1, 3, 1]
    assert english_lines(releases[1])[1] == ""  # a blank line stays blank
    date = [h for h in releases[1].segments()[0].terms if h.kind == "date"]
    assert date and date[0].found  # the date line is translated and audited, not dropped as a dateline
    assert releases[0].paragraphs[0].text == "来源：新华社"


def test_eval_with_a_model_runs_through_metadata_like_lines(tiny_model, tmp_path):
    src = tmp_path / "src.zh"
    src.write_text("来源：新华社\n2023年9月18日\n- 一是推进绿色发展。\n广西壮族自治区生态环境厅厅长陈亮表示，合作继续深化。\n",
                   encoding="utf-8")
    ref = tmp_path / "ref.en"
    ref.write_text("Source: Xinhua\nSeptember 18, 2023\n- First, promote green development.\n"
                   "Chen Liang said cooperation deepens.\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    proc = zhen("eval", "--source", src, "--ref", ref, "--model", tiny_model, "--beam", "1", "--bootstrap", "0",
                "--json", out, "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    zhen_row = next(r for r in report["results"] if r["name"] == "zhen")
    assert zhen_row["scores"]["numbers"] is not None


def test_translate_units_keeps_line_markup(pipe):
    from zhen.evaluate import translate_units

    hyps, releases = translate_units(pipe, ["# 总结\n\n- 一是推进绿色发展。\n来源：新华社"])
    lines = hyps[0].split("\n")
    assert lines[0].startswith("# ") and lines[1] == "" and lines[2].startswith("- ")
    assert len(lines) == 4 and lines[3]
    assert releases[0].paragraphs[0].text == "总结"  # the model never sees the markup


def test_summary_english_keeps_every_requirement_of_its_sentences(tiny_model):
    from zhen.settings import Settings
    from zhen.summarizer import candidates, english_of

    proc = zhen("summarize", SAMPLE, "-m", tiny_model, "-f", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    for s in summary["sentences"]:
        assert s["terms"] and all(h["found"] for h in s["terms"] if h["method"] != "off"), s["text"]
    # 陈亮 is introduced by his title in another paragraph; alone, his name is still required
    release = read_release(SAMPLE)
    chen = [s for s in candidates(release) if s.text.startswith("陈亮表示")]
    english_of(release, chen, Settings(model=str(tiny_model)).pipeline())
    names = [h for h in chen[0].terms if h.kind == "name"]
    assert [h.target for h in names] == ["Chen Liang"] and "Chen Liang" in chen[0].english


def test_a_translated_release_gives_its_summary_by_offset_without_translating_again(pipe):
    from zhen.summarizer import summarize

    translated = pipe.run(SAMPLE)
    counting = CountingEngine(pipe.engine)
    summary = summarize(translated, replace(pipe, engine=counting), sentences=3)
    assert counting.calls == []
    for s in summary.sentences:
        inside = [g for p in translated.paragraphs if p.index == s.paragraph for g in p.segments
                  if s.start <= g.start < s.end]
        assert inside and inside[-1].end == s.end  # segments tile the sentence
        assert s.english == " ".join(g.target.strip() for g in inside)
        assert s.terms == [h for g in inside for h in g.terms]


def test_a_pipeline_is_built_in_one_place():
    """Every front end builds its pipeline from Settings: no other construction site drifts."""
    import re

    from tests.conftest import ROOT

    sites = []
    for path in [*(ROOT / "src" / "zhen").rglob("*.py"), *(ROOT / "eval").glob("*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bPipeline(\.load)?\(", line) and not line.lstrip().startswith(("def ", "class ", "#")):
                sites.append(f"{path.relative_to(ROOT)}:{n}")
    assert sites == ["src/zhen/settings.py:" + str(_line_of("return Pipeline.load("))], sites


def _line_of(needle: str) -> int:
    from tests.conftest import ROOT

    lines = (ROOT / "src" / "zhen" / "settings.py").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize("command", ["translate", "summarize", "eval", "batch", "demo"])
def test_every_command_takes_the_same_translation_options(command):
    from click.testing import CliRunner

    from zhen.cli import cli

    text = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
    for flag in ("--model", "--engine", "--beam", "--batch-size", "--threads", "--glossary", "--no-term",
                 "--models-dir", "--no-last-resort", "--no-fidelity", "--compute-type"):
        assert flag in text, (command, flag)


def test_a_batch_reads_and_segments_each_document_once_even_across_a_resume(pipe, tmp_path, monkeypatch):
    import zhen.batch as batch
    from tests.conftest import FIXTURES

    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "b.txt"):
        (src / name).write_bytes(SAMPLE.read_bytes())  # the same bytes twice: prepared once
    (src / "c.txt").write_bytes((FIXTURES / "land-sea-corridor-release.txt").read_bytes())
    (src / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    reads, finds = [], []
    real_read, real_find = batch.read_bytes, RequirementFinder.find
    monkeypatch.setattr(batch, "read_bytes", lambda data, name, **kw: reads.append(name) or real_read(data, name, **kw))
    monkeypatch.setattr(RequirementFinder, "find", lambda self, text, offset=0: finds.append(text)
                        or real_find(self, text, offset))

    class Stop(Exception):
        pass

    def stop_after_first(path, segments):
        raise Stop(path)

    out = tmp_path / "out"
    with pytest.raises(Stop):
        batch.run_batch(src, out, pipe, formats=("json",), summarize=True, progress=stop_after_first)
    assert sorted(reads) == ["a.txt", "broken.docx", "c.txt"]  # b.txt is a.txt's bytes
    paragraphs = len(pipe.read(SAMPLE).paragraphs) + len(pipe.read(FIXTURES / "land-sea-corridor-release.txt").paragraphs)
    assert len(finds) == paragraphs  # one find per paragraph, the summaries included
    reads.clear()
    finds.clear()
    report = batch.run_batch(src, out, pipe, formats=("json",), summarize=True)  # resumed
    assert reads == ["broken.docx"] and finds == []  # what was prepared is not read or searched again
    assert (report.done, report.failed, report.reused) == (3, 1, 1)
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    broken = next(m for m in manifest if m["path"] == "broken.docx")
    assert broken["status"] == "failed" and "broken.docx" in broken["reason"]
    a, b = (json.loads((out / f"{n}.json").read_text()) for n in "ab")
    assert a["paragraphs"] == b["paragraphs"] and (a["origin"], b["origin"]) == ("a.txt", "b.txt")


def test_the_audit_and_the_engines_share_one_occurrence_rule():
    from zhen.engines.phrases import Phrase, as_string, unmet
    from zhen.occurrences import claim, find_words

    words = "the offshore renminbi market and the renminbi".split()
    wanted = [["renminbi"], ["offshore renminbi market"], ["renminbi"]]
    spans = claim(" ".join(words), wanted, find_words)
    assert spans[1] is not None and sum(s is None for s in spans) == 1  # one "renminbi" is inside the longer term
    ids = {w: n + 1 for n, w in enumerate(dict.fromkeys(words))}
    phrases = [Phrase((seq,), (seq,)) for seq in (tuple(ids[w] for w in v[0].split()) for v in wanted)]
    missing = unmet(as_string([ids[w] for w in words]), phrases)
    assert len(missing) == 1 and missing[0].accept == phrases[0].accept  # the same verdict on token ids
    # longer renderings first, whoever's they are: 金融科技 accepts "fintech innovation" too, but where
    # that is absent its "fintech" claims after "Fintech Connect" (it took the name's first word, and
    # the check called a draft's "Fintech Connect" missing)
    spans = claim("The HKMA launched Fintech Connect.", [["fintech", "fintech innovation"], ["Fintech Connect"]],
                  find_words)
    assert spans == [None, (18, 33)]


def test_no_module_imports_another_modules_private_name():
    import re

    from tests.conftest import ROOT

    private = re.compile(r"^\s*from\s+\S+\s+import\s+(.*\b_[a-z]\w*)", re.M)
    found = [f"{p.relative_to(ROOT)}: {m.group(0).strip()}" for p in (ROOT / "src" / "zhen").rglob("*.py")
             for m in private.finditer(p.read_text(encoding="utf-8")) if "__future__" not in m.group(0)]
    assert found == []


def test_every_output_format_carries_the_signature(pipe, tiny_model, tmp_path):
    import io
    import zipfile

    from zhen.exporters import EXPORTERS, render
    from zhen.signature import format_signature
    from zhen.summarizer import summarize, to_markdown

    translated = pipe.run(SAMPLE)
    sig = format_signature(translated.signature)
    for fmt in EXPORTERS:
        out = render(translated, fmt)
        if fmt == "docx":
            out = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
        elif isinstance(out, bytes):
            out = out.decode()
        if fmt == "txt":
            assert sig not in out  # plain English stays plain; the CLI adds it with -v
        elif fmt == "json":
            assert json.loads(out)["signature"] == translated.signature
        elif fmt == "jsonl":
            assert all(json.loads(line)["signature"] == sig for line in out.splitlines())
        else:
            assert sig in out, fmt
    assert '<prop type="x-zhen-signature">' in render(translated, "tmx").decode()
    verbose = zhen("translate", SAMPLE, "-m", tiny_model, "--beam", "1", "-q", "-v")
    quiet = zhen("translate", SAMPLE, "-m", tiny_model, "--beam", "1", "-q")
    assert verbose.stdout.decode().rstrip().splitlines()[-1].startswith("# zhen signature: zhen:")
    assert verbose.stdout.decode().startswith(quiet.stdout.decode()) and b"signature" not in quiet.stdout
    summary = summarize(translated, sentences=2)
    assert summary.signature == translated.signature and sig in to_markdown(summary)
    src, ref = tmp_path / "s.zh", tmp_path / "r.en"
    src.write_text("2023年增长5%。\n", encoding="utf-8")
    ref.write_text("Growth was 5% in 2023.\n", encoding="utf-8")
    proc = zhen("eval", "--source", src, "--ref", ref, "--hyp", f"ref={ref}", "--json", tmp_path / "e.json", "-q")
    assert proc.returncode == 0, proc.stderr
    signatures = json.loads((tmp_path / "e.json").read_text())["metric_signatures"]
    assert signatures["numbers"].startswith("metric:numbers|") and "version:zhen-" in signatures["numbers"]


def test_inline_pinyin_with_tone_marks_is_never_a_latin_token_to_copy():
    """A page copied with reading aids (環(huán)境) used to require hu, n, zh, ng… in the English."""
    from zhen.requirements import RequirementFinder

    finder = RequirementFinder()
    damaged = "生態(tài)環(huán)境部部長(zhǎng)黃潤秋(qiū)表示，將推進RCEP和COP28合作，並開通QQ群與U.S.企業對接。"
    latin = [h.source for h in finder.find(damaged) if h.kind == "latin"]
    assert latin == ["RCEP", "COP28", "QQ", "U.S"]
