"""Batch jobs: a 200-release synthetic archive, kill -9 and resume, untrusted archive entries,
translation memory, TMX/XLIFF validated against schemas (see tests/schemas/README.md)."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from zhen.batch.sources import Limits, iter_items, safe_relpath

from .conftest import FIXTURES, SAMPLE, SHIPPED

SCHEMAS = Path(__file__).resolve().parent / "schemas"
N_RELEASES = 200


def _sentences() -> list[str]:
    from zhen.readers import read_release
    from zhen.segment import sentence_spans

    out = []
    for path in (SAMPLE, FIXTURES / "land-sea-corridor-release.txt"):
        for p in read_release(path).paragraphs:
            if p.kind == "body":
                out += [p.text[a:b].strip() for a, b in sentence_spans(p.text) if 8 <= b - a <= 120]
    return out


def build_archive(path: Path, n: int = N_RELEASES, *, hostile: bool = True) -> list[str]:
    """``n`` short releases made from the sample releases' sentences with varied dates and numbers,
    in year/month folders, plus (``hostile``) entries a batch must refuse or fail. Returns the
    names of the good releases."""
    rng = random.Random(20231)
    pool = _sentences()
    names = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            year, month, day = 2019 + i % 5, 1 + i % 12, 1 + i % 28
            body = rng.sample(pool, 3)
            lines = [f"{year}年{month}月{day}日论坛在南宁举行", "",
                     f"{year}-{month:02d}-{day:02d} 09:{i % 60:02d}    来源: 广西壮族自治区生态环境厅", ""]
            lines += [f"今年上半年贸易增长{1 + i % 9}.{i % 10}%。", ""] + [s + "\n" for s in body]
            name = f"{year}/{month:02d}/release-{i:03d}.txt"
            z.writestr(name, "\n".join(lines))
            names.append(name)
        if hostile:
            z.writestr("../escape.txt", "逃逸。")
            z.writestr("/abs/escape.txt", "逃逸。")
            link = zipfile.ZipInfo("links/evil.txt")
            link.external_attr = (0o120777 << 16)
            z.writestr(link, "../../etc/passwd")
            z.writestr("bomb/zeros.txt", b"0" * (3 * 1024 * 1024))  # a 3 MB run of one byte: ratio ~1000:1
            z.writestr("bad/empty.txt", b"")
            z.writestr("bad/binary.txt", bytes(range(256)) * 40)
            z.writestr("images/photo.jpg", b"\xff\xd8\xff")
    return names


def zhen_batch(*args, **kwargs):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-m", "zhen", "batch", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".zhen-job" not in p.parts and p.name != "report.json"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    path = folder / "releases.zip"
    names = build_archive(path)
    return path, names


ARGS = ("--beam", "1", "--formats", "json,jsonl,md,docx,tmx,xliff", "--no-shipped-glossaries", "-q")


@pytest.fixture(scope="module")
def uninterrupted(archive, tiny_model, tmp_path_factory):
    path, _ = archive
    out = tmp_path_factory.mktemp("run") / "out"
    started = time.monotonic()
    proc = zhen_batch(path, "-o", out, "--model", tiny_model, *ARGS, "-g", SHIPPED / "china-asean.tsv")
    stdout, stderr = proc.communicate(timeout=900)
    return out, proc.returncode, stderr.decode(), time.monotonic() - started


def test_archive_completes_with_every_bad_entry_recorded(archive, uninterrupted):
    path, names = archive
    out, code, stderr, seconds = uninterrupted
    assert code == 9, stderr  # some entries failed or were refused: the exit code says so
    manifest = {json.loads(line)["path"]: json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()}
    done = [p for p, m in manifest.items() if m["status"] == "done"]
    assert sorted(done) == sorted(names)
    for name in names:
        stem = name[:-4]
        for ext in ("json", "jsonl", "md", "docx", "tmx", "xlf"):
            assert (out / f"{stem}.{ext}").is_file()
        assert manifest[name]["outputs"]["json"]["sha256"]
        assert manifest[name]["signature"]["engine"] == "ct2"  # the default engine for a Marian model
    # the JSONL is the JSON's segments, one per line, each with where it came from
    stem = names[0][:-4]
    whole = json.loads((out / f"{stem}.json").read_text())
    lines = [json.loads(line) for line in (out / f"{stem}.jsonl").read_text().splitlines()]
    segments = [s for p in whole["paragraphs"] for s in p["segments"]]
    assert [(x["id"], x["target"]) for x in lines] == [(s["id"], s["target"]) for s in segments]
    assert {x["document"] for x in lines} == {names[0]} == {whole["origin"]}
    assert sum(len(x["requirements"]) for x in lines) == sum(len(s["terms"]) for s in segments) > 0
    assert manifest["../escape.txt"]["status"] == "refused" and "escapes" in manifest["../escape.txt"]["reason"]
    assert manifest["/abs/escape.txt"]["status"] == "refused"
    assert manifest["links/evil.txt"]["status"] == "refused" and "link" in manifest["links/evil.txt"]["reason"]
    assert manifest["bomb/zeros.txt"]["status"] == "refused" and "ratio" in manifest["bomb/zeros.txt"]["reason"]
    assert manifest["bad/empty.txt"]["status"] == "failed" and "empty" in manifest["bad/empty.txt"]["reason"]
    assert manifest["bad/binary.txt"]["status"] == "failed"
    assert manifest["images/photo.jpg"]["status"] == "skipped"
    # nothing written outside -o: not beside the archive, not above the output folder
    assert not (path.parent / "escape.txt").exists() and not (out.parent / "escape.txt").exists()
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    report = json.loads((out / "report.json").read_text())
    assert (report["documents"], report["done"], report["failed"], report["refused"], report["skipped"]) == \
        (207, 200, 2, 4, 1)
    assert report["memory_hits"] > 0  # releases share sentences: the memory is used across documents
    assert report["terms_placed"] == report["terms_total"] > 0
    print(f"\n200-release archive: {report['segments']} segments in {seconds:.1f} s "
          f"({report['segments'] / report['seconds']:.1f} segments/s, {report['memory_hits']} from memory)")


def _counts(ledger: Path) -> tuple[int, int, int]:
    """(documents done, memory rows, planned segments), or zeros while the ledger is being made."""
    try:
        with sqlite3.connect(ledger) as db:
            return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                         for t in ("docs WHERE status='done'", "memory", "plan"))
    except sqlite3.OperationalError:
        return 0, 0, 0


@pytest.mark.parametrize("when", ["while translating chunks", "while writing documents"])
def test_kill_minus_9_and_resume_gives_byte_identical_outputs(archive, uninterrupted, tiny_model, tmp_path, when):
    path, _ = archive
    reference = outputs(uninterrupted[0])
    out = tmp_path / "out"
    glossary = SHIPPED / "china-asean.tsv"
    proc = zhen_batch(path, "-o", out, "--model", tiny_model, *ARGS, "-g", glossary)
    ledger = out / ".zhen-job" / "job.sqlite"
    deadline = time.monotonic() + 600
    counts = (0, 0, 0)
    while time.monotonic() < deadline and proc.poll() is None:
        if ledger.exists():
            counts = _counts(ledger)
            done, memory, planned = counts
            if when == "while translating chunks" and 0 < memory < planned:
                break
            if when == "while writing documents" and done >= 60:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done, memory, planned = _counts(ledger)
    if when == "while translating chunks":
        assert done == 0 and 0 < memory < planned, (done, memory, planned)
    else:
        assert 60 <= done < N_RELEASES
    resumed = zhen_batch(path, "-o", out, "--model", tiny_model, *ARGS, "-g", glossary)
    resumed.communicate(timeout=900)
    report = json.loads((out / "report.json").read_text())
    assert report["done"] == N_RELEASES and report["reused"] == done
    again = outputs(out)
    assert sorted(again) == sorted(reference)
    differing = [k for k in reference if reference[k] != again[k]]
    assert not differing, differing[:5]
    with sqlite3.connect(ledger) as db:  # no document lost, none twice
        rows = db.execute("SELECT path, count(*) FROM docs GROUP BY path").fetchall()
    assert len(rows) == N_RELEASES + 7 and all(c == 1 for _, c in rows)


def _validators(which: str):
    """(TMX, XLIFF) validators: the schemas written here from the specs, or the official files."""
    from lxml import etree

    if which == "written-here":
        return (etree.XMLSchema(etree.parse(str(SCHEMAS / "tmx14.xsd"))),
                etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff12.xsd"))))
    sys.path.insert(0, str(SCHEMAS))
    try:
        from fetch_official import fetch
        official = fetch()
    except Exception as exc:  # no apt here: say so rather than pass on the written-here schemas
        pytest.skip(f"official schemas unavailable ({exc}); run tests/schemas/fetch_official.py")
    finally:
        sys.path.remove(str(SCHEMAS))

    class Local(etree.Resolver):  # the XLIFF schema imports W3C's xml.xsd by URL: use the local copy
        def resolve(self, url, pubid, context):
            if url.endswith("/xml.xsd"):
                return self.resolve_filename(str(official / "xml.xsd"), context)

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    return (etree.DTD(str(official / "tmx14.dtd")),
            etree.XMLSchema(etree.parse(str(official / "xliff-core-1.2-strict.xsd"), parser)))


@pytest.mark.parametrize("which", ["written-here", "official"])
def test_tmx_and_xliff_validate_against_their_schemas(uninterrupted, which):
    from lxml import etree

    out = uninterrupted[0]
    tmx, xliff = _validators(which)
    parser = etree.XMLParser(load_dtd=False, no_network=True)
    tmx_files = sorted(out.rglob("*.tmx"))
    xlf_files = sorted(out.rglob("*.xlf"))
    assert len(tmx_files) == N_RELEASES + 1 and len(xlf_files) == N_RELEASES  # + the job's memory
    for f in tmx_files:
        doc = etree.parse(str(f), parser)
        assert tmx.validate(doc), (f, tmx.error_log.last_error)
        assert all(t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in doc.iter("tuv"))
    for f in xlf_files:
        assert xliff.validate(etree.parse(str(f), parser)), (f, xliff.error_log.last_error)
    memory = etree.parse(str(out / "translation-memory.tmx"), parser)
    assert len(list(memory.iter("tu"))) > 100
    # the validators are not lenient: a TMX without its header and an XLIFF unit without a
    # source are refused
    broken = etree.parse(str(tmx_files[0]), parser)
    broken.getroot().remove(broken.getroot().find("header"))
    assert not tmx.validate(broken)
    broken = etree.parse(str(xlf_files[0]), parser)
    unit = next(broken.iter("{urn:oasis:names:tc:xliff:document:1.2}trans-unit"))
    unit.remove(unit.find("{urn:oasis:names:tc:xliff:document:1.2}source"))
    assert not xliff.validate(broken)


def test_translation_memory_is_reused_across_runs(archive, uninterrupted, tiny_model, tmp_path):
    """A second job on the same releases, with the first job's memory copied in, translates nothing."""
    import shutil

    path, _ = archive
    out = tmp_path / "again"
    shutil.copytree(uninterrupted[0] / ".zhen-job", out / ".zhen-job")
    with sqlite3.connect(out / ".zhen-job" / "job.sqlite") as db:
        db.execute("DELETE FROM docs")  # keep the memory, forget the documents
    proc = zhen_batch(path, "-o", out, "--model", tiny_model, *ARGS, "-g",
                      SHIPPED / "china-asean.tsv")
    proc.communicate(timeout=900)
    report = json.loads((out / "report.json").read_text())
    assert report["done"] == N_RELEASES and report["reused"] == 0
    assert report["memory_hits"] == report["segments"] + N_RELEASES  # every segment, and every source line
    assert outputs(out) == outputs(uninterrupted[0])


def test_safe_relpath_refuses_escapes():
    assert safe_relpath("a/b.txt") == "a/b.txt"
    assert safe_relpath("./a//b.txt") == "a/b.txt"
    for bad in ("../x.txt", "a/../../x.txt", "/etc/passwd", "C:/x.txt", "..\\x.txt", ""):
        assert safe_relpath(bad) is None, bad


def test_tar_links_devices_and_sizes_are_refused(tmp_path):
    path = tmp_path / "a.tar.gz"
    with tarfile.open(path, "w:gz") as t:
        def add(name, data=b"", **attrs):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for k, v in attrs.items():
                setattr(info, k, v)
            t.addfile(info, io.BytesIO(data) if data else None)
        add("ok/one.txt", "论坛在南宁举行。".encode())
        add("ok/sym.txt", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        add("ok/hard.txt", type=tarfile.LNKTYPE, linkname="ok/one.txt")
        add("ok/fifo.txt", type=tarfile.FIFOTYPE)
        add("../up.txt", "逃逸。".encode())
        add("big/large.txt", "大".encode() * 400)
    items = {i.path: i for i in iter_items(path, Limits(max_doc_bytes=1000))}
    assert items["ok/one.txt"].status == "pending" and items["ok/one.txt"].data
    assert items["ok/sym.txt"].status == "refused" and "link" in items["ok/sym.txt"].reason
    assert items["ok/hard.txt"].status == "refused"
    assert items["ok/fifo.txt"].status == "refused"
    assert items["../up.txt"].status == "refused"
    assert items["big/large.txt"].status == "refused" and "limit" in items["big/large.txt"].reason


def test_jsonl_input_and_its_bad_lines(tmp_path, tiny_model):
    src = tmp_path / "releases.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "2023/forum", "title": "论坛在南宁举行", "text": "陈亮出席并致辞。"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "../../etc/x", "text": "逃逸。"}, ensure_ascii=False),
        json.dumps({"text": "谢谢大家。"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = zhen_batch(src, "-o", out, "--model", tiny_model, "--beam", "1", "--formats", "json", "-q")
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 9, stderr.decode()
    manifest = {json.loads(line)["path"]: json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()}
    assert manifest["2023/forum.txt"]["status"] == "done" and (out / "2023" / "forum.json").is_file()
    assert manifest["line-000004.txt"]["status"] == "done"
    assert manifest["line-000002.txt"]["status"] == "refused" and "line 2" in manifest["line-000002.txt"]["reason"]
    assert manifest["../../etc/x"]["status"] == "refused"
    english = json.loads((out / "2023" / "forum.json").read_text())
    assert "Chen Liang attended and delivered a speech." in json.dumps(english)


def test_a_job_with_other_settings_is_not_mixed_in(tmp_path, tiny_model):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("陈亮出席并致辞。", encoding="utf-8")
    out = tmp_path / "out"
    first = zhen_batch(src, "-o", out, "--model", tiny_model, "--beam", "1", "-q")
    first.communicate(timeout=300)
    assert first.returncode == 0
    other = zhen_batch(src, "-o", out, "--model", tiny_model, "--beam", "2", "-q")
    _, stderr = other.communicate(timeout=300)
    assert other.returncode == 2 and "other settings" in stderr.decode() and "beam" in stderr.decode()


def test_local_workers_and_a_two_cpu_ray_cluster_match_the_local_run(tmp_path, tiny_model):
    """The same job in this process, in two local worker processes, and on a 2-CPU Ray cluster."""
    pytest.importorskip("ray")
    path = tmp_path / "small.zip"
    build_archive(path, 40, hostile=False)
    runs = {}
    how = {"local": ("--engine", "transformers"), "processes": ("--engine", "transformers", "--workers", "2"),
           "ray": ("--engine", "ray", "--workers", "2")}  # the spelling, --engine ray, for --runner ray
    for runner, flags in how.items():
        out = tmp_path / runner
        t0 = time.monotonic()
        proc = zhen_batch(path, "-o", out, "--model", tiny_model, *flags, *ARGS)
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr.decode()[-2000:]
        report = json.loads((out / "report.json").read_text())
        runs[runner] = (outputs(out), report, time.monotonic() - t0)
    assert runs["ray"][0] == runs["local"][0]  # byte for byte, every file and the manifest
    assert runs["processes"][0] == runs["local"][0]
    for runner, (_, report, wall) in runs.items():
        print(f"\n{runner}: {report['translated']} segments translated, {report['segments']} in documents, "
              f"{wall:.1f} s wall ({report['segments'] / wall:.1f} document segments/s)")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process parents from /proc")
def test_killed_job_takes_its_worker_processes_with_it_and_resumes(tmp_path, tiny_model):
    path = tmp_path / "small.zip"
    build_archive(path, 40, hostile=False)
    out = tmp_path / "out"
    proc = zhen_batch(path, "-o", out, "--model", tiny_model, "--workers", "2", *ARGS)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        # the two spawned model workers: wait until both run
        workers = [c for c in _children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")
                   ] if Path(f"/proc/{proc.pid}").exists() else []
        if len(workers) == 2:
            break
        time.sleep(0.2)
    assert len(workers) == 2, "the job did not start two worker processes"
    time.sleep(2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # not communicate(): live workers would hold its pipes open
    gone = time.monotonic() + 10
    while time.monotonic() < gone and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "workers outlived the killed job"
    resumed = zhen_batch(path, "-o", out, "--model", tiny_model, "--workers", "2", *ARGS)
    _, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()[-2000:]
    assert json.loads((out / "report.json").read_text())["done"] == 40
