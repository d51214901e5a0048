"""Glossaries: every format, every refusal with file:line, layering, and script-blind matching."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhen.glossary import Glossary, GlossaryError, load_layers, read_glossary_file, shipped_glossaries
from zhen.textnorm import fold


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_deepl_tsv_without_header(tmp_path):
    p = write(tmp_path, "g.tsv", "全球发展倡议\tGlobal Development Initiative\n生态环境部\tMinistry of Ecology and Environment\n")
    terms = read_glossary_file(p)
    assert [(t.source, t.targets) for t in terms] == [
        ("全球发展倡议", ("Global Development Initiative",)),
        ("生态环境部", ("Ministry of Ecology and Environment",)),
    ]
    assert terms[1].origin == f"{p}:2"


def test_tsv_with_header_alternatives_and_authority(tmp_path):
    p = write(tmp_path, "g.tsv", "# comment\nsource\ttarget\talternatives\tauthority\n"
                                 "全球发展倡议\tGlobal Development Initiative\tGDI | the GDI\tMFA\n")
    (t,) = read_glossary_file(p)
    assert t.targets == ("Global Development Initiative", "GDI", "the GDI") and t.authority == "MFA"


def test_csv_with_quotes_and_language_columns(tmp_path):
    p = write(tmp_path, "g.csv", '"碳达峰碳中和","carbon peaking and carbon neutrality",zh,en\n'
                                 '"中国—东盟","China-ASEAN, the partnership",zh,en\n')
    terms = read_glossary_file(p)
    assert terms[1].target == "China-ASEAN, the partnership"


def test_tbx_in_either_language_order(tmp_path):
    tbx = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="gdi"><descrip type="source">MFA</descrip>
<langSet xml:lang="en"><tig><term>Global Development Initiative</term></tig><tig><term>GDI</term></tig></langSet>
<langSet xml:lang="zh-CN"><tig><term>全球发展倡议</term></tig></langSet></termEntry>
<termEntry id="mee"><langSet xml:lang="zh"><tig><term>生态环境部</term></tig></langSet>
<langSet xml:lang="en"><tig><term>Ministry of Ecology and Environment</term></tig></langSet></termEntry>
</body></text></martif>"""
    terms = read_glossary_file(write(tmp_path, "g.tbx", tbx))
    assert [(t.source, t.targets) for t in terms] == [
        ("全球发展倡议", ("Global Development Initiative", "GDI")),
        ("生态环境部", ("Ministry of Ecology and Environment",)),
    ]


def test_wmt_json_dictionary_form(tmp_path):
    p = write(tmp_path, "g.json", json.dumps({"外匯基金": ["Exchange Fund"], "金管局": "HKMA"}, ensure_ascii=False))
    assert [(t.source, t.targets) for t in read_glossary_file(p)] == [("外匯基金", ("Exchange Fund",)),
                                                                      ("金管局", ("HKMA",))]


@pytest.mark.parametrize("name,text,message", [
    ("g.tsv", "全球发展倡议\tGlobal Development Initiative\n生态环境部\n", r"g\.tsv:2: has 1 columns, expected 2"),
    ("g.tsv", "全球发展倡议\tGlobal\tDevelopment\n", r"g\.tsv:1: has 3 columns"),
    ("g.tsv", "source\ttarget\n全球发展倡议\t\n", r"g\.tsv:2: empty target"),
    ("g.tsv", "\tGlobal Development Initiative\n", r"g\.tsv:1: empty source"),
    ("g.tsv", "全球发展倡议\tGlobal Development Initiative\n全球发展倡议\tGDI\n",
     r"g\.tsv:2: '全球发展倡议' is already at .*g\.tsv:1 with a different target"),
    ("g.tsv", "", "has no entries"),
    ("g.csv", '"全球发展倡议,Global\n', "not valid CSV"),
    ("g.json", "[1, 2]", "an object of source term"),
    ("g.json", "{bad json", r"g\.json:1: is not valid JSON"),
    ("g.tbx", "<martif><text><body><termEntry>", "not valid TBX"),
    ("g.xlsx", "x", "unknown glossary format"),
])
def test_malformed_glossaries_are_refused_with_file_and_line(tmp_path, name, text, message):
    with pytest.raises(GlossaryError, match=message):
        read_glossary_file(write(tmp_path, name, text))


def test_bad_encoding_is_refused_with_the_line(tmp_path):
    p = tmp_path / "g.tsv"
    p.write_bytes("生态环境部\tMinistry of Ecology and Environment\n".encode() + "全球发展倡议\tGDI\n".encode("gb18030"))
    with pytest.raises(GlossaryError, match=r"g\.tsv:2: is not UTF-8"):
        read_glossary_file(p)


def test_a_bad_file_loads_nothing(tmp_path):
    good = write(tmp_path, "good.tsv", "全球发展倡议\tGlobal Development Initiative\n")
    bad = write(tmp_path, "bad.tsv", "生态环境部\tMinistry of Ecology and Environment\n广西\n")
    with pytest.raises(GlossaryError, match=r"bad\.tsv:2"):
        Glossary.load([good, bad])


def test_layers_override_with_a_report(tmp_path):
    shipped = write(tmp_path, "shipped.tsv", "全球发展倡议\tGlobal Development Initiative\n广西\tGuangxi\n")
    mine = write(tmp_path, "mine.tsv", "全球发展倡议\tthe GDI\n")
    g = Glossary.load([shipped, mine])
    assert g.terms[fold("全球发展倡议")].target == "the GDI"
    (o,) = g.overrides
    assert f"{mine}:1" in str(o) and f"{shipped}:1" in str(o)


def test_user_glossary_is_the_top_layer(tmp_path, monkeypatch):
    user = write(tmp_path, "user.tsv", "广西\tGuangxi Zhuang Autonomous Region\n")
    monkeypatch.setenv("ZHEN_USER_GLOSSARY", str(user))
    g = load_layers([])
    assert g.terms[fold("广西")].target == "Guangxi Zhuang Autonomous Region"
    assert any(str(user) in str(o) for o in g.overrides)


def test_traditional_fullwidth_and_dash_variants_match_with_original_offsets():
    g = Glossary.from_mapping({"中国—东盟自贸区3.0版": "China-ASEAN Free Trade Area 3.0", "中国—东盟": "China-ASEAN",
                               "RCEP": "RCEP", "全球发展倡议": "Global Development Initiative"})
    text = "紧抓共建中國–東盟自貿區３.０版、ＲＣＥＰ实施的机遇，落實全球發展倡議，中国-东盟合作"
    found = [(text[m.start:m.end], m.term.target) for m in g.match(text)]
    assert found == [("中國–東盟自貿區３.０版", "China-ASEAN Free Trade Area 3.0"), ("ＲＣＥＰ", "RCEP"),
                     ("全球發展倡議", "Global Development Initiative"), ("中国-东盟", "China-ASEAN")]


def test_nested_and_overlapping_terms_are_all_visible():
    g = Glossary.from_mapping({"中国—东盟": "China-ASEAN", "东盟自贸区": "ASEAN FTA", "中国—东盟自贸区3.0版": "CAFTA 3.0"})
    text = "中国—东盟自贸区3.0版"
    assert [m.term.target for m in g.match(text)] == ["CAFTA 3.0"]
    assert {m.term.target for m in g.match_all(text)} == {"CAFTA 3.0", "China-ASEAN", "ASEAN FTA"}


@given(st.text(max_size=200))
def test_fold_keeps_length(text):
    assert len(fold(text)) == len(text)


def test_shipped_glossaries_cover_the_domain_with_authorities():
    paths = shipped_glossaries()
    assert {p.name for p in paths} >= {"china-asean.tsv", "climate-carbon.tsv", "ecology-environment.tsv",
                                       "government-bodies.tsv", "trade-corridors.tsv"}
    g = Glossary.load(paths)
    assert len(g) >= 300 and not g.overrides  # no entry contradicts another
    assert all(t.authority for t in g)
    expected = {
        "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
        "生态环境部": "Ministry of Ecology and Environment",
        "碳达峰碳中和": "carbon peaking and carbon neutrality",
        "西部陆海新通道": "New International Land-Sea Trade Corridor",
        "全球发展倡议": "Global Development Initiative",
        "RCEP": "RCEP",
    }
    for zh, en in expected.items():
        assert g.terms[fold(zh)].target == en
