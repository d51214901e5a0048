"""Glossary terms, numbers, dates and names placed in the English, proven by reading the audit.

The tiny test model has never seen any of these terms: every placement is the engine's work (the
transformers engine's constraint processor inside the model's own decoding; CTranslate2's repair by
attention and re-decoding), and the audit says so. Every test runs on both engines: this module is
the placement table that lets ``--engine auto`` take CTranslate2 for Marian models
(zhen.engines.CT2_MATCHES).
"""

from __future__ import annotations

import json

import pytest

from zhen.release import Release

from .conftest import FIXTURES, SAMPLE
from .test_cli import zhen

SECOND = FIXTURES / "land-sea-corridor-release.txt"


@pytest.fixture(params=["transformers", "ct2"])
def engine(request):
    if request.param == "ct2":
        pytest.importorskip("ctranslate2")
    return request.param


def translate_json(model, source, *args):
    proc = zhen("translate", source, "--model", model, "-f", "json", *args)
    assert proc.returncode == 0, proc.stderr.decode()
    return Release.from_dict(json.loads(proc.stdout)), proc.stderr.decode()


def all_hits(release):
    return [(s, h) for s in release.segments() for h in s.terms]


def assert_every_hit_placed_by_the_model(release):
    hits = all_hits(release)
    assert hits
    for seg, h in hits:
        assert h.found, (h, seg.target)
        assert h.method == "constrained", (h, seg.target)
        # flagged only where the model's own output failed its checks (zhen.quality), never for a placement
        assert not seg.review or seg.quality_left, seg
        english = seg.target
        forms = {v for a in h.accepted for v in (a, a[:1].upper() + a[1:])}
        assert any(f in english for f in forms), (h, english)


@pytest.mark.parametrize("beam", ["1", "4"])
def test_sample_release_places_every_glossary_term_and_number(engine, tiny_model, beam):
    release, err = translate_json(tiny_model, SAMPLE, "--engine", engine, "--beam", beam)
    assert_every_hit_placed_by_the_model(release)
    kinds = {h.kind for _, h in all_hits(release)}
    assert {"term", "number", "date", "name"} <= kinds  # RCEP and EOD are glossary terms here
    terms = [h for _, h in all_hits(release) if h.kind == "term"]
    assert f"glossary: {len(terms)}/{len(terms)} terms placed, {len(terms)}/{len(terms)} without last resort" in err
    english = " ".join(s.target for s in release.segments())
    for expected in ("Global Development Initiative", "161.38 billion yuan", "59.7 billion yuan",
                     "1.17 billion yuan", "0.3 percentage points", "September 15", "January–August",
                     "more than 50 species", "61%", "Chen Liang", "RCEP", "EOD",
                     "New International Land-Sea Trade Corridor", "China-ASEAN Free Trade Area 3.0"):
        assert expected in english, expected
    assert english.lower().count("carbon peaking and carbon neutrality") >= 2
    assert release.signature["glossary"].startswith("404terms-sha256:")


def test_second_release_places_every_glossary_term_and_number(engine, tiny_model):
    release, err = translate_json(tiny_model, SECOND, "--engine", engine, "--beam", "1")
    assert release.metadata.author == "韦明" and release.metadata_en.author == "Wei Ming"
    assert_every_hit_placed_by_the_model(release)
    english = " ".join(s.target for s in release.segments())
    for expected in ("March 11", "8.02 million TEUs", "48.75 billion yuan", "January–February",
                     "Huang Hai", "New International Land-Sea Trade Corridor", "Global Development Initiative",
                     "China-ASEAN community with a shared future", "clean, low-carbon, safe and efficient energy system"):
        assert expected in english, expected


def test_traditional_script_release_matches_the_simplified_glossary(engine, tiny_model):
    text = "廣西將繼續落實全球發展倡議，推動中國—東盟綠色價值鏈夥伴關係。"
    proc = zhen("translate", "-", "--model", tiny_model, "--engine", engine, "-f", "json", "--quiet", stdin=text.encode())
    release = Release.from_dict(json.loads(proc.stdout))
    found = {(h.source, h.target, h.method) for _, h in all_hits(release)}
    assert ("全球發展倡議", "Global Development Initiative", "constrained") in found or \
           ("落實全球發展倡議", "implementing the Global Development Initiative", "constrained") in found
    assert ("中國—東盟綠色價值鏈夥伴關係", "China-ASEAN Green Value Chain Partnership", "constrained") in found
    assert "Green Value Chain Partnership" in release.segments()[0].target


def test_a_term_the_model_already_writes_is_left_as_the_model_wrote_it(engine, tiny_model, tmp_path):
    """Steering must not disturb output that already has the term: same text as without it."""
    glossary = tmp_path / "g.tsv"
    glossary.write_text("论坛\tforum\n", encoding="utf-8")
    plain = zhen("translate", "-", "--model", tiny_model, "--engine", engine, "--beam", "1", "--quiet", "--no-shipped-glossaries",
                 "--no-fidelity", stdin="论坛在南宁举行。".encode())
    steered = zhen("translate", "-", "--model", tiny_model, "--engine", engine, "--beam", "1", "--quiet", "--no-shipped-glossaries",
                   "--no-fidelity", "-g", glossary, stdin="论坛在南宁举行。".encode())
    assert plain.stdout == steered.stdout == b"The forum was held in Nanning.\n"


def test_turned_off_term_is_not_enforced(engine, tiny_model):
    release, err = translate_json(tiny_model, SAMPLE, "--engine", engine, "--beam", "1", "--no-term", "落實全球發展倡議")
    off = [h for _, h in all_hits(release) if h.source == "落实全球发展倡议"]
    assert off and all(h.method == "off" for h in off)
    assert "turned off" in err


def test_unplaceable_term_goes_to_last_resort_and_review(engine, tiny_model, tmp_path):
    """A rendering the model's vocabulary cannot spell can only be inserted after decoding: the
    audit says so, the segment is flagged, and --strict fails."""
    glossary = tmp_path / "g.tsv"
    glossary.write_text("论坛\tΦόρουμ\n", encoding="utf-8")
    args = ["--engine", engine, "--beam", "1", "--no-shipped-glossaries", "-g", glossary]
    release, err = translate_json(tiny_model, SAMPLE, *args)
    hits = [(s, h) for s, h in all_hits(release) if h.source == "论坛"]
    assert hits and all(h.method == "last-resort" and h.found and s.review and "Φόρουμ" in s.target
                        for s, h in hits)
    assert f"glossary: {len(hits)}/{len(hits)} terms placed, 0/{len(hits)} without last resort" in err
    strict = zhen("translate", SAMPLE, "--model", tiny_model, "--quiet", "--strict", *args)
    assert strict.returncode == 7 and b"--strict" in strict.stderr
    missing, err = translate_json(tiny_model, SAMPLE, *args, "--no-last-resort")
    assert all(not h.found and h.method == "missing" for _, h in all_hits(missing) if h.source == "论坛")
    assert "items missing" in err


def test_markdown_highlights_terms_and_carries_the_audit(engine, tiny_model, tmp_path):
    out = tmp_path / "r.md"
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--engine", engine, "--beam", "1", "-f", "md", "-o", out, "--quiet")
    assert proc.returncode == 0
    md = out.read_text("utf-8")
    assert "**落实全球发展倡议**" in md and "**implementing the Global Development Initiative**" in md
    assert "**中国—东盟**" in md and "**China-ASEAN**" in md
    assert "## Glossary audit" in md
    assert "| 落实全球发展倡议 | implementing the Global Development Initiative | yes | constrained |" in md


def test_latin_tokens_are_copied(engine, tiny_model):
    text = "用户可通过QQ和微信联系ABC公司。"
    proc = zhen("translate", "-", "--model", tiny_model, "--engine", engine, "-f", "json", "--quiet", "--no-shipped-glossaries",
                stdin=text.encode())
    release = Release.from_dict(json.loads(proc.stdout))
    latin = [h for _, h in all_hits(release) if h.kind == "latin"]
    assert [h.source for h in latin] == ["QQ", "ABC"]
    assert all(h.found and h.method == "constrained" for h in latin)
