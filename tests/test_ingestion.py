"""Ingestion of what staff receive: the sample release as text, HTML and DOCX, in every encoding."""

from __future__ import annotations

import io
import json

import pytest

from zhen.errors import InputError
from zhen.readers import read_bytes, read_path, read_release
from zhen.readers.decode import decode_bytes

from .conftest import FIXTURES, GOLDEN, SAMPLE

CHROME = ["页面", "配色", "辅助线", "重置", "当前位置", "分享", "微信", "头条", "微博", "空间", "qq",
          "字体", "打印", "文件下载", "关联文件", "客户端", "智能", "问答"]


def golden() -> dict:
    return json.loads((GOLDEN / "guangxi-release.json").read_text("utf-8"))


def as_golden(release) -> dict:
    d = release.to_dict()
    return {"metadata": d["metadata"], "paragraphs": [{"kind": p["kind"], "text": p["text"]} for p in d["paragraphs"]]}


def assert_no_chrome(release):
    for p in release.paragraphs:
        for word in ("配色", "辅助线", "当前位置", "【字体", "文件下载", "关联文件", "客户端"):
            assert word not in p.text, (word, p.text)
        assert p.text.split() != ["微信"] and p.text not in CHROME


def test_sample_release_text_matches_golden():
    release = read_path(SAMPLE)
    assert as_golden(release) == golden()
    assert release.title == "陈亮出席落实全球发展倡议:中国—东盟典型产品气候贸易与绿色价值链伙伴关系分论坛并致辞"
    assert release.metadata.date == "2023-09-18 09:14"
    assert release.metadata.source == "广西壮族自治区生态环境厅"
    assert release.metadata.author == "蓝皓璟"
    assert release.encoding == "utf-8"
    assert_no_chrome(release)
    # the chrome that was removed is reported, not silently dropped
    assert "页面" in release.removed and any(r.startswith("当前位置") for r in release.removed)


def test_captions_are_kept_and_marked():
    release = read_path(SAMPLE)
    captions = [p.text for p in release.paragraphs if p.kind == "caption"]
    assert captions == ["自治区生态环境厅厅长陈亮致辞", "共同发布中国—东盟绿色价值链伙伴关系"]
    assert release.paragraphs[-1].text.startswith("分论坛上,还举行中国—东盟绿色价值链伙伴关系发布仪式")
    assert release.paragraphs[-1].kind == "body"


def test_saved_html_page_gives_the_same_release():
    release = read_path(FIXTURES / "guangxi-release.html")
    assert release.format == "html"
    assert as_golden(release) == golden()
    assert_no_chrome(release)


def test_docx_gives_the_same_release(tmp_path):
    import docx

    document = docx.Document()
    for line in SAMPLE.read_text("utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "release.docx"
    document.save(path)
    release = read_path(path)
    assert release.format == "docx"
    assert as_golden(release) == golden()


def test_docx_without_extension_is_sniffed(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("广西生态环境质量持续向好。")
    buf = io.BytesIO()
    document.save(buf)
    release = read_bytes(buf.getvalue(), "attachment")
    assert release.format == "docx"
    assert release.paragraphs[0].text == "广西生态环境质量持续向好。"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16"),
])
def test_encodings_are_detected(encoding, expected):
    text = SAMPLE.read_text("utf-8")
    data = text.replace("\xa0", " ").encode(encoding)
    release = read_bytes(data, f"release.{encoding}.txt")
    assert release.encoding == expected
    assert release.title == golden()["paragraphs"][0]["text"]
    assert len(release.paragraphs) == len(golden()["paragraphs"])


def test_big5_traditional_release_is_detected():
    text = "廣西生態環境品質持續保持全國前列。\n今年上半年，廣西對東盟進出口總額快速增長，產業合作不斷深化。\n"
    decoded, enc = decode_bytes(text.encode("big5"), "hk.txt")
    assert decoded == text
    assert enc.startswith("big5")


def test_nul_bytes_in_text_are_never_content():
    """UTF-16 with no byte-order mark of mostly Latin text is valid UTF-8 with a NUL after each
    letter: read as UTF-16; a damaged UTF-8 copy with a stray NUL loses only the NUL."""
    english = "Press release: the HKMA announced new measures.\n"
    assert decode_bytes(english.encode("utf-16-le"), "note.txt") == (english, "utf-16")
    assert decode_bytes("广西外贸\x00增长。\n".encode(), "r.txt") == ("广西外贸增长。\n", "utf-8")


def test_text_given_directly_is_a_release():
    release = read_release("陈亮出席并致辞。\n论坛在南宁举行。")
    assert [p.text for p in release.paragraphs] == ["陈亮出席并致辞。", "论坛在南宁举行。"]


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (bytes(range(256)) * 64, "binary"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x81\x30\xff\xfe\x80" * 50 + b"\xff" * 100, "encoding"),
])
def test_bad_input_is_refused_with_a_reason(data, message):
    with pytest.raises(InputError, match=message):
        read_bytes(data, "bad.txt")


def test_chrome_only_page_is_refused():
    with pytest.raises(InputError, match="no text found"):
        read_bytes("页面\n配色\n微信 微博\n".encode(), "chrome.txt")


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    with pytest.raises(InputError, match=r"20\.\d MB, over the 10 MB limit"):
        read_path(big)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="not a file"):
        read_path(tmp_path)


def test_release_round_trips_through_json():
    from zhen.release import Release

    release = read_path(SAMPLE)
    again = Release.from_dict(json.loads(json.dumps(release.to_dict(), ensure_ascii=False)))
    assert again == release


def test_markdown_heading_lines_are_headings_whatever_their_punctuation():
    text = "# 2016年报告\n\n# 货币稳定。\n\n港元汇率保持稳定，货币市场运作畅顺。\n\n# 银行体系稳定\n\n银行体系维持稳健。"
    release = read_bytes(text.encode("utf-8"), "report.md")
    kinds = [(p.kind, p.text) for p in release.paragraphs]
    assert kinds == [("title", "2016年报告"), ("heading", "货币稳定。"), ("body", "港元汇率保持稳定，货币市场运作畅顺。"),
                     ("heading", "银行体系稳定"), ("body", "银行体系维持稳健。")]
    # the same lines in a .txt are classified by their shape: the short unpunctuated line is a caption
    plain = read_bytes(text.encode("utf-8"), "report.txt")
    assert "heading" not in [p.kind for p in plain.paragraphs[1:]]
