"""Hostile archives, generated (issue 19): whatever layout of names, duplicates, extensions and
contents arrives as a folder, a .zip, a .tar.gz or a JSONL file, ``zhen batch`` gives a job report or
one clear ZhenError, never a traceback; every output file belongs to one document and no file is
written twice; and running the job again changes nothing."""

from __future__ import annotations

import io
import json
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhen import batch
from zhen.errors import ZhenError

SENTENCES = ["陈亮出席并致辞。", "南宁市举行会议。", "中国—东盟合作论坛在南宁开幕。", "广西发布通知。"]
DIRS = ["", "a/", "a/b/", "A/", "out/", ".hidden/", "a/../"]
STEMS = ["r", "R", "release", "report", "manifest", "r.md", "r.txt", "1"]
EXTS = [".txt", ".md", ".html", ".docx", ".json", ".jsonl", ".xhtml", ""]


def _docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


contents = st.one_of(
    st.sampled_from(SENTENCES).map(lambda s: s.encode("utf-8")),
    st.sampled_from(SENTENCES).map(lambda s: f"<html><body><article><p>{s}</p></article></body></html>".encode()),
    st.binary(max_size=200),
    st.sampled_from(SENTENCES).map(lambda s: s.encode("gb18030")),
    st.just(b"PK\x03\x04broken zip"),
)
entries = st.lists(st.tuples(st.sampled_from(DIRS), st.sampled_from(STEMS), st.sampled_from(EXTS), contents),
                   min_size=1, max_size=6)


def _content(name: str, data: bytes) -> bytes:
    if name.endswith(".docx") and data.startswith("陈".encode()):
        return _docx(data.decode("utf-8"))
    return data


def _write(layout: str, items, root: Path) -> Path:
    """The entries as a folder tree, a zip (names may repeat), a tar.gz (maybe cut short) or JSONL."""
    names = [(d + s + e, _content(s + e, data)) for d, s, e, data in items]
    if layout == "folder":
        src = root / "in"
        for name, data in names:
            path = (src / name).resolve()
            if not path.is_relative_to(src.resolve()) or path.is_dir() or any(
                    p.is_file() for p in path.parents if p.is_relative_to(src.resolve())):
                continue  # the file system itself refuses these layouts
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        src.mkdir(exist_ok=True)
        return src
    if layout == "zip":
        src = root / "in.zip"
        with warnings.catch_warnings(), zipfile.ZipFile(src, "w") as zf:
            warnings.simplefilter("ignore")  # duplicate names are part of the test
            for name, data in names:
                zf.writestr(name, data)
        return src
    if layout in ("tar", "tar-cut"):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tf:
            for name, data in names:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        data = buf.getvalue()
        src = root / "in.tar.gz"
        src.write_bytes(data[: len(data) * 2 // 3] if layout == "tar-cut" else data)
        return src
    src = root / "in.jsonl"
    lines = []
    for name, data in names:
        text = data.decode("utf-8", errors="replace")
        lines.append(json.dumps({"id": name, "text": text}, ensure_ascii=False) if "{" not in name else name)
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def _outputs(out: Path) -> dict[str, dict]:
    manifest = out / "manifest.jsonl"
    if not manifest.exists():
        return {}
    return {m["path"]: m for m in map(json.loads, manifest.read_text(encoding="utf-8").splitlines())}


class _Tiny:
    """The tiny model's pipeline, under a short name in hypothesis's reports."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def __repr__(self) -> str:
        return "<the tiny model's pipeline>"


@pytest.fixture(scope="module")
def tiny(tiny_model):
    from zhen.settings import Settings

    return _Tiny(Settings(model=str(tiny_model), beam_size=1).pipeline())


@pytest.mark.parametrize("layout", ["folder", "zip", "tar", "tar-cut", "jsonl"])
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=entries)
def test_any_archive_layout_gives_a_report_or_one_clear_error_and_no_output_twice(tiny, tmp_path_factory,
                                                                                  layout, items):
    pipe = tiny.pipeline
    root = tmp_path_factory.mktemp("fuzz")
    src = _write(layout, items, root)
    out = root / "out"
    try:
        report = batch.run_batch(src, out, pipe, formats=("json", "md"))
    except ZhenError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        return
    manifest = _outputs(out)
    assert report.documents == len(manifest) == report.done + report.failed + report.refused + report.skipped
    written = [o["path"] for m in manifest.values() for o in m.get("outputs", {}).values()]
    assert len(written) == len(set(written)), sorted(written)  # no file is any two documents' output
    on_disk = {rel for p in out.rglob("*") if p.is_file()
               and not (rel := p.relative_to(out).as_posix()).startswith(batch.JOB_DIR + "/") and rel not in batch.JOB_FILES}
    assert on_disk == set(written)  # nothing written that the manifest does not account for
    for m in manifest.values():
        if m["status"] != "done":
            assert m["reason"], m  # a failure says why
    stamps = {p: (out / p).stat().st_mtime_ns for p in written}
    again = batch.run_batch(src, out, pipe, formats=("json", "md"))  # resumed: nothing to do, nothing rewritten
    assert again.done == report.done and _outputs(out) == manifest
    assert {p: (out / p).stat().st_mtime_ns for p in written} == stamps
