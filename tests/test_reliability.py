"""Reliability: each case found by trying zhen as a careful but unlucky user would (issue 19), with
a test that failed on the code before its fix."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import ROOT, SAMPLE
from .test_cli import assert_clean_failure, zhen


def test_a_tsv_that_mentions_tbx_is_read_as_tsv(tmp_path):
    """``<tbx`` inside a .tsv once sent it to the TBX reader (operator precedence in the sniff)."""
    from zhen.glossary import read_glossary_file

    tsv = tmp_path / "notes.tsv"
    tsv.write_text("交换格式\tthe <tbx> exchange format\n术语库\tterm base\n", encoding="utf-8")
    terms = read_glossary_file(tsv)
    assert [(t.source, t.target) for t in terms] == [("交换格式", "the <tbx> exchange format"), ("术语库", "term base")]


def test_translate_refuses_to_write_over_its_input(tiny_model, tmp_path):
    source = tmp_path / "release.txt"
    source.write_bytes(SAMPLE.read_bytes())
    proc = zhen("translate", source, "--model", tiny_model, "-o", source)
    assert_clean_failure(proc, "is the input file")
    assert source.read_bytes() == SAMPLE.read_bytes()  # the source is untouched
    link = tmp_path / "same.txt"
    link.symlink_to(source)
    assert_clean_failure(zhen("translate", source, "--model", tiny_model, "-o", link), "is the input file")
    assert source.read_bytes() == SAMPLE.read_bytes()


def test_an_unknown_batch_format_is_refused_before_the_model_loads(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(SAMPLE.read_bytes())
    proc = zhen("batch", tmp_path / "in", "-o", tmp_path / "out", "--formats", "json,pdf",
                "--model", tmp_path / "no-such-model")
    assert_clean_failure(proc, "pdf", "json, jsonl, md")
    assert proc.returncode == 2 and "model" not in proc.stderr.decode().lower()
    assert not (tmp_path / "out").exists()


def test_bootstrap_on_too_few_units_gives_no_significance(tmp_path):
    """With one unit every resample is that unit, and every difference came out significant."""
    (tmp_path / "src.txt").write_text("陈亮出席并致辞。\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text("Chen Liang attended and spoke.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Chen Liang attended and gave a speech.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Chen attended.\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    proc = zhen("eval", "--source", tmp_path / "src.txt", "--ref", tmp_path / "ref.txt", "--hyp",
                f"a={tmp_path / 'a.txt'}", "--hyp", f"b={tmp_path / 'b.txt'}", "--baseline", "a",
                "--bootstrap", "200", "--metrics", "bleu,chrf", "--json", out)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "too few for significance" in proc.stderr.decode()
    report = json.loads(out.read_text())
    assert all(not r.get("p_values") for r in report["results"]), report["results"]
    assert "paired bootstrap" not in proc.stdout.decode()


def test_the_readme_lists_every_exit_code():
    codes = {0}
    for path in (ROOT / "src" / "zhen").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= {int(c) for c in re.findall(r"exit_code = (\d+)", text)}
        if path.name == "cli.py":
            codes |= {int(c) for c in re.findall(r"\breturn (\d+)\b", text)}
            codes |= {int(c) for c in re.findall(r"return (\d+) if ", text)}
    codes.add(2)  # click's usage errors
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {int(c) for c in re.findall(r"^\| (\d+) \|", readme, flags=re.M)}
    assert codes <= table, sorted(codes - table)
    assert {1, 2, 3, 4, 5, 6, 7, 8, 9, 130} <= codes  # the scan found the codes it should


# --- batch: every output distinct, nothing written twice, zhen's own outputs never read back ----
def _batch(src, out, tiny_model, *extra):
    return zhen("batch", src, "-o", out, "--model", tiny_model, "--beam", "1", "--formats", "json,md", "-q", *extra)


def _manifest(out) -> dict[str, dict]:
    return {m["path"]: m for m in map(json.loads, (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())}


def _assert_each_output_is_its_documents(out, manifest, texts: dict[str, str]):
    """Every done document has its own output files, and each JSON holds that document's text."""
    written = [o["path"] for m in manifest.values() if m["status"] == "done" for o in m["outputs"].values()]
    assert len(written) == len(set(written)), sorted(written)
    for path, text in texts.items():
        m = manifest[path]
        assert m["status"] == "done", m
        release = json.loads((out / m["outputs"]["json"]["path"]).read_text(encoding="utf-8"))
        sources = "".join(p["text"] for p in release["paragraphs"])
        assert text in sources, (path, m["outputs"]["json"]["path"])


def test_batch_inputs_differing_only_in_extension_keep_distinct_outputs(tmp_path, tiny_model):
    src = tmp_path / "in"
    (src / "2023").mkdir(parents=True)
    texts = {"2023/release.txt": "陈亮出席并致辞。", "2023/release.md": "广西壮族自治区生态环境厅发布通知。",
             "2023/release.html": "南宁市举行会议。", "report.txt": "中国—东盟合作论坛在南宁开幕。"}
    for rel, text in texts.items():
        body = f"<html><body><article><p>{text}</p></article></body></html>" if rel.endswith(".html") else text
        (src / rel).write_text(body + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = _batch(src, out, tiny_model)
    assert proc.returncode == 0, proc.stderr.decode()
    manifest = _manifest(out)
    _assert_each_output_is_its_documents(out, manifest, texts)
    # the first in order keeps the plain name; the others keep their suffix; report.txt leaves the job's report.json alone
    assert manifest["2023/release.html"]["outputs"]["json"]["path"] == "2023/release.json"
    assert manifest["2023/release.md"]["outputs"]["json"]["path"] == "2023/release.md.json"
    assert manifest["report.txt"]["outputs"]["json"]["path"] == "report.txt.json"
    assert json.loads((out / "report.json").read_text())["done"] == 4
    # resumed (nothing left to do) and run again: the same names, nothing renamed
    again = _batch(src, out, tiny_model)
    assert again.returncode == 0 and _manifest(out) == manifest


def test_an_archive_holding_one_name_twice_keeps_both_documents(tmp_path, tiny_model):
    import warnings
    import zipfile

    path = tmp_path / "in.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": the case under test
        zf.writestr("news/a.txt", "陈亮出席并致辞。\n")
        zf.writestr("news/a.txt", "南宁市举行会议。\n")
    out = tmp_path / "out"
    proc = _batch(path, out, tiny_model)
    assert proc.returncode == 0, proc.stderr.decode()
    manifest = _manifest(out)
    assert set(manifest) == {"news/a.txt", "news/a~2.txt"}
    _assert_each_output_is_its_documents(out, manifest, {"news/a.txt": "陈亮", "news/a~2.txt": "南宁"})


def test_jsonl_ids_that_collide_after_the_suffix_keep_distinct_outputs(tmp_path, tiny_model):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "news/1", "text": "陈亮出席并致辞。"}, ensure_ascii=False) + "\n"
                   + json.dumps({"id": "news/1.md", "text": "南宁市举行会议。"}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out"
    proc = _batch(src, out, tiny_model)
    assert proc.returncode == 0, proc.stderr.decode()
    manifest = _manifest(out)
    _assert_each_output_is_its_documents(out, manifest, {"news/1.txt": "陈亮", "news/1.md": "南宁"})


def test_an_output_folder_inside_the_input_is_never_read_back(tmp_path, tiny_model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("陈亮出席并致辞。\n", encoding="utf-8")
    out = src / "out"
    for _ in range(2):
        proc = _batch(src, out, tiny_model)
        assert proc.returncode == 0, proc.stderr.decode()
        assert set(_manifest(out)) == {"a.txt"}
    assert not (out / "out").exists()
    # another job's output folder inside the input is zhen's writing too, not input
    other = _batch(src, tmp_path / "elsewhere", tiny_model)
    assert other.returncode == 0 and set(_manifest(tmp_path / "elsewhere")) == {"a.txt"}


# --- one damaged file: one clear message everywhere, and a batch job goes on ----------------------
def _damaged_docx(tmp_path):
    """A valid .docx, then three damaged copies: document.xml cut short, a corrupt deflate stream,
    and a zip cut in half."""
    import zipfile

    import docx

    good = tmp_path / "good.docx"
    d = docx.Document()
    d.add_paragraph("陈亮出席并致辞。")
    d.save(good)
    entries = {i.filename: zipfile.ZipFile(good).read(i.filename) for i in zipfile.ZipFile(good).infolist()}
    broken_xml = tmp_path / "broken-xml.docx"
    with zipfile.ZipFile(broken_xml, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data[: len(data) // 2] if name == "word/document.xml" else data)
    bad_deflate = tmp_path / "bad-deflate.docx"
    with zipfile.ZipFile(bad_deflate, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    raw = bytearray(bad_deflate.read_bytes())
    info = zipfile.ZipFile(bad_deflate).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 8, start + min(info.compress_size, 64)):
        raw[k] ^= 0x5A  # scramble the compressed bytes; the CRC no longer matches either
    bad_deflate.write_bytes(bytes(raw))
    cut = tmp_path / "cut.docx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return good, [broken_xml, bad_deflate, cut]


def test_a_damaged_docx_is_one_clear_message_in_translate(tmp_path, tiny_model):
    _, damaged = _damaged_docx(tmp_path)
    for path in damaged:
        proc = zhen("translate", path, "--model", tiny_model)
        assert_clean_failure(proc, path.name, "save it")
        assert proc.returncode == 3


def test_a_damaged_docx_in_a_batch_is_recorded_and_the_rest_finish(tmp_path, tiny_model):
    import shutil

    good, damaged = _damaged_docx(tmp_path)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(good, src / "a-good.docx")
    for path in damaged:
        shutil.copy(path, src / path.name)
    (src / "z.txt").write_text("南宁市举行会议。\n", encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # a rerun records the same, and does not die in planning either
        proc = _batch(src, out, tiny_model)
        assert proc.returncode == 9, proc.stderr.decode()
        assert "Traceback" not in proc.stderr.decode()
        manifest = _manifest(out)
        assert manifest["a-good.docx"]["status"] == "done" and manifest["z.txt"]["status"] == "done"
        for path in damaged:
            row = manifest[path.name]
            assert row["status"] == "failed" and "save it" in row["reason"], row


def test_a_damaged_docx_is_the_same_clear_message_in_the_demo(tmp_path, tiny_model):
    import pytest

    from zhen.demo import Demo
    from zhen.errors import InputError
    from zhen.pipeline import Pipeline

    _, damaged = _damaged_docx(tmp_path)
    demo = Demo(Pipeline.load(str(tiny_model)), upload_root=tmp_path)  # as if uploaded to the page
    for path in damaged:
        with pytest.raises(InputError, match=r"save it"):
            demo.run("", str(path), [], None, 0)


# --- wrong output, quietly ------------------------------------------------------------------------
def test_an_xhtml_page_with_an_xml_declaration_is_read(tmp_path):
    from zhen.readers import read_path

    from .conftest import FIXTURES

    html = (FIXTURES / "guangxi-release.html").read_text(encoding="utf-8")
    page = tmp_path / "release.xhtml"
    page.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + html, encoding="utf-8")
    plain = read_path(FIXTURES / "guangxi-release.html")
    assert [p.text for p in read_path(page).paragraphs] == [p.text for p in plain.paragraphs]


def test_summarize_never_passes_the_character_budget_silently():
    proc = zhen("summarize", SAMPLE, "--chars", "10", "--no-english", "-f", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    text = "".join(s["text"].strip() for s in summary["sentences"])
    stderr = proc.stderr.decode()
    # a part of a sentence that fits (said on stderr), or the best sentence with the overrun said
    assert (len(text) <= 10 and "part of a sentence" in stderr) or "no sentence fits in 10 characters" in stderr, summary
    proc = zhen("summarize", SAMPLE, "--chars", "10", "--no-trim", "--no-english", "-f", "json")
    assert "no sentence fits in 10 characters" in proc.stderr.decode()
    for budget in (40, 60, 120):
        proc = zhen("summarize", SAMPLE, "--chars", str(budget), "--no-english", "-f", "json")
        summary = json.loads(proc.stdout)
        assert 0 < len("".join(s["text"].strip() for s in summary["sentences"])) <= budget, (budget, summary)


def test_translate_writes_xliff(tiny_model, tmp_path):
    from lxml import etree

    out = tmp_path / "release.xlf"
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--beam", "1", "-f", "xliff", "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    units = etree.parse(str(out)).getroot().findall(".//{urn:oasis:names:tc:xliff:document:1.2}trans-unit")
    assert len(units) > 20 and all(u.find("{urn:oasis:names:tc:xliff:document:1.2}target") is not None for u in units)


def test_batch_takes_every_extension_the_readers_read(tmp_path, tiny_model):
    from zhen.readers import EXTENSIONS

    src = tmp_path / "in"
    src.mkdir()
    for k, ext in enumerate(EXTENSIONS):
        body = "陈亮出席并致辞。"
        if EXTENSIONS[ext] == "html":
            body = f"<html><body><article><p>{body}</p><p>南宁市举行会议。</p></article></body></html>"
        if EXTENSIONS[ext] == "docx":
            import docx

            d = docx.Document()
            d.add_paragraph(body)
            d.save(src / f"r{k}{ext}")
            continue
        (src / f"r{k}{ext}").write_text(body + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = _batch(src, out, tiny_model)
    assert proc.returncode == 0, proc.stderr.decode()
    assert {m["status"] for m in _manifest(out).values()} == {"done"} and len(_manifest(out)) == len(EXTENSIONS)


# --- the output location: checked before the work, a full disk stops the job cleanly, one job per folder
def test_an_output_location_zhen_cannot_write_is_refused_before_the_model_loads(tiny_model, tmp_path):
    (tmp_path / "in").mkdir()
    release = tmp_path / "in" / "r.txt"
    release.write_text("陈亮出席并致辞。\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = zhen("batch", tmp_path / "in", "-o", blocker / "out", "--model", tiny_model)
    assert_clean_failure(proc, "a-file", "choose another output folder")
    assert proc.returncode == 10
    proc = zhen("translate", release, "-o", "/proc/zhen-out.md", "--model", tiny_model)
    assert_clean_failure(proc, "/proc", "cannot write there")
    assert proc.returncode == 10


def test_a_full_disk_mid_job_stops_it_with_a_message_and_the_rerun_resumes(tiny_model, tmp_path, monkeypatch):
    import errno

    from zhen import batch
    from zhen.errors import OutputError
    from zhen.settings import Settings

    src = tmp_path / "in"
    src.mkdir()
    for k in range(3):
        (src / f"r{k}.txt").write_text(["陈亮出席并致辞。", "论坛在南宁举行。", "谢谢大家。"][k] + "\n", encoding="utf-8")
    pipe = Settings(model=str(tiny_model), beam_size=1).pipeline()
    clean = batch.run_batch(src, tmp_path / "clean", pipe, formats=("json",))
    real = batch._write_atomic
    written = []

    def full_after_one(path, data):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real(path, data)

    monkeypatch.setattr(batch, "_write_atomic", full_after_one)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="No space left on device.*resumes where it stopped"):
        batch.run_batch(src, out, pipe, formats=("json",))
    monkeypatch.setattr(batch, "_write_atomic", real)
    report = batch.run_batch(src, out, pipe, formats=("json",))
    assert (report.done, report.failed, report.reused) == (3, 0, 1)
    for k in range(3):
        a = json.loads((out / f"r{k}.json").read_text("utf-8"))
        b = json.loads((tmp_path / "clean" / f"r{k}.json").read_text("utf-8"))
        assert [s["target"] for p in a["paragraphs"] for s in p["segments"]] == \
            [s["target"] for p in b["paragraphs"] for s in p["segments"]]
    assert clean.done == 3


def test_a_second_batch_on_the_same_folder_is_refused_while_the_first_runs(tiny_model, tmp_path):
    import fcntl

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "r.txt").write_text("陈亮出席并致辞。\n", encoding="utf-8")
    release = tmp_path / "in"
    out = tmp_path / "out"
    (out / ".zhen-job").mkdir(parents=True)
    with open(out / ".zhen-job" / "lock", "a+", encoding="utf-8") as held:  # as a running job holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 4242, since today")
        held.flush()
        proc = zhen("batch", release, "-o", out, "--model", tiny_model)
        assert_clean_failure(proc, "another zhen batch (pid 4242, since today)", "another -o folder")
        assert proc.returncode == 11
    proc = zhen("batch", release, "-o", out, "--model", tiny_model, "-q")
    assert proc.returncode == 0, proc.stderr.decode()
    assert (out / "r.md").is_file()


def _tar_gz(path, docs: dict[str, str]):
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, text in docs.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_truncated_tar_gz_is_reported_as_damaged_and_what_was_read_is_translated(tiny_model, tmp_path):
    import random

    rng = random.Random(0)
    filler = "".join(rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年") for _ in range(60000))
    archive = _tar_gz(tmp_path / "releases.tar.gz", {"a.txt": "陈亮出席并致辞。\n", "b.txt": "论坛在南宁举行。\n",
                                                     "c.txt": filler + "。\n"})
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) * 2 // 3])  # cut inside c.txt
    out = tmp_path / "out"
    proc = zhen("batch", archive, "-o", out, "--model", tiny_model, "--beam", "1")
    err = proc.stderr.decode()
    assert proc.returncode == 9, err
    assert "Traceback" not in err and "interrupted" not in err
    assert "releases.tar.gz: refused: the archive is damaged from here on" in err
    assert (out / "a.md").is_file() and (out / "b.md").is_file() and not (out / "c.md").exists()


def test_a_tar_gz_is_decompressed_once(tmp_path, monkeypatch):
    from zhen.batch import sources

    docs = {f"d{k:02d}.txt": f"第{k}篇。" * 2000 for k in range(12)}
    archive = _tar_gz(tmp_path / "many.tar.gz", dict(reversed(list(docs.items()))))
    read = []
    real = sources._raw

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def read(self, n=-1):
            data = self.fh.read(n)
            read.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(sources, "_raw", lambda path: Counting(real(path)))
    items = list(sources.iter_items(archive))
    assert sorted(i.path for i in items) == sorted(docs) and all(i.status == "pending" for i in items)
    assert sum(read) <= archive.stat().st_size + 1  # every byte of the file read once, none again


NAV_PAGE = """<html><head><meta charset="utf-8"><title>广西壮族自治区生态环境厅</title></head><body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/a">机构概况</a></li><li><a href="/b">政务公开</a></li>
<li><a href="/c">新闻中心</a></li><li><a href="/d">互动交流</a></li></ul></nav>
<div class="list"><ul><li><a href="/1">陈亮出席中国—东盟环境合作论坛</a></li><li><a href="/2">广西生态环境质量持续向好</a></li>
<li><a href="/3">绿色发展潜力巨大</a></li></ul></div>
<footer>版权所有：广西壮族自治区生态环境厅</footer></body></html>"""


def test_a_page_with_no_article_is_refused_unless_whole_page_is_asked_for(tiny_model, tmp_path):
    page = tmp_path / "list.html"
    page.write_text(NAV_PAGE, encoding="utf-8")
    proc = zhen("translate", page, "--model", tiny_model, "-o", tmp_path / "out.md")
    assert_clean_failure(proc, "list.html: no article found in this page", "--whole-page")
    assert proc.returncode == 3 and not (tmp_path / "out.md").exists()
    proc = zhen("translate", page, "--model", tiny_model, "--whole-page", "-f", "json", "-o", tmp_path / "out.json")
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads((tmp_path / "out.json").read_text("utf-8"))
    kinds = [p["kind"] for p in out["paragraphs"]]
    assert "caption" in kinds and "body" not in kinds
    assert out["signature"]["page"] == "whole"  # the result says how its page was read
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "list.html").write_text(NAV_PAGE, encoding="utf-8")
    (tmp_path / "in" / "r.txt").write_text("陈亮出席并致辞。\n", encoding="utf-8")
    proc = zhen("batch", tmp_path / "in", "-o", tmp_path / "job", "--model", tiny_model, "--beam", "1")
    assert proc.returncode == 9 and "list.html: failed: " in proc.stderr.decode() and "no article found" in proc.stderr.decode()
    assert (tmp_path / "job" / "r.md").is_file()


def _docx_with_notes() -> bytes:
    """A .docx citing a footnote in its first paragraph and carrying one endnote (python-docx writes
    neither, so the parts are added to the package as Word writes them, separators included)."""
    import io
    import zipfile

    import docx

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    d = docx.Document()
    d.add_paragraph("第一段正文，引用了一份报告。")
    d.add_paragraph("第二段正文。")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    notes = {"footnotes": ("footnote", "2023年统计公报。"), "endnotes": ("endnote", "数据来源：自治区统计局。")}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in ("word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"):
                data = data.decode()
            if item.filename == "word/document.xml":
                data = data.replace("引用了一份报告。</w:t></w:r>",
                                    '引用了一份报告。</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>', 1)
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", "".join(
                    f'<Relationship Id="rIdN{part}" Target="{part}.xml" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/{part}"/>' for part in notes) + "</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace("</Types>", "".join(
                    f'<Override PartName="/word/{part}.xml" ContentType="application/vnd.openxmlformats-'
                    f'officedocument.wordprocessingml.{part}+xml"/>' for part in notes) + "</Types>")
            z.writestr(item, data)
        for part, (tag, text) in notes.items():
            z.writestr(f"word/{part}.xml",
                       f'<w:{part} xmlns:w="{w}"><w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r>'
                       f'</w:p></w:{tag}><w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
                       f'<w:continuationSeparator/></w:r></w:p></w:{tag}><w:{tag} w:id="1"><w:p><w:r><w:t>{text}</w:t>'
                       f'</w:r></w:p></w:{tag}></w:{part}>')
    return out.getvalue()


def test_docx_tables_stay_in_place_as_body_and_headers_stay_out():
    import io

    import docx

    from zhen.readers import read_bytes

    d = docx.Document()
    d.add_heading("年度报告", 0)
    d.add_paragraph("第一段正文，说明背景。")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("指标", "数值"), ("达标率", "98.2%"), ("项目数", "12")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    merged = d.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合计"
    d.add_paragraph("第二段正文，在表格之后。")
    section = d.sections[0]
    section.header.paragraphs[0].text = "内部资料"
    section.footer.paragraphs[0].text = "第1页"
    buf = io.BytesIO()
    d.save(buf)
    release = read_bytes(buf.getvalue(), "report.docx")
    got = [(p.kind, p.text) for p in release.paragraphs]
    assert got == [("title", "年度报告"), ("body", "第一段正文，说明背景。"), ("body", "指标"), ("body", "数值"),
                   ("body", "达标率"), ("body", "98.2%"), ("body", "项目数"), ("body", "12"), ("body", "合计"),
                   ("body", "第二段正文，在表格之后。")]
    assert release.removed == []  # "98.2%" and "12" are content, not page numbers; the header is not read


def test_docx_footnotes_and_endnotes_are_kept_and_marked():
    from zhen.readers import read_bytes

    release = read_bytes(_docx_with_notes(), "notes.docx")
    assert [(p.kind, p.text) for p in release.paragraphs] == [
        ("body", "第一段正文，引用了一份报告。"), ("body", "注1：2023年统计公报。"), ("body", "第二段正文。"),
        ("body", "尾注1：数据来源：自治区统计局。")]
