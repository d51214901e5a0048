"""Bytes to text, for the encodings Chinese releases actually arrive in.

Staff receive UTF-8 (with or without a byte-order mark), GB18030/GBK/GB2312 from older Windows
machines and mainland sites, Big5 from Taiwan and Hong Kong, and UTF-16 from Word's "Unicode text".
Nobody should have to say which. Order: a BOM decides; then strict UTF-8; then UTF-16 without a BOM
(recognised by its NUL pattern); then charset-normalizer, restricted to the Chinese encodings, and
its answer is accepted only if the text it gives is mostly Chinese.
"""

from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHINESE_ENCODINGS = ["gb18030", "big5", "big5hkscs", "utf_16_le", "utf_16_be"]
_BINARY_MAGIC = {
    b"%PDF": "a PDF; zhen reads .txt, .md, .html and .docx: save the release as one of those",
    b"\x7fELF": "a program, not a document",
    b"\x89PNG": "an image, not a document",
    b"\xff\xd8\xff": "an image, not a document",
    b"GIF8": "an image, not a document",
    b"\xd0\xcf\x11\xe0": "an old Word/Excel (.doc/.xls) file; save it as .docx first",
    b"\x1f\x8b": "a gzip archive; unpack it first (or use `zhen batch` on archives)",
}


def _cjk_share(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    if not letters:
        return 0.0
    cjk = sum(1 for c in letters if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    return cjk / len(letters)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(1, len(sample)) > 0.05


def _plausible_text_share(text: str) -> float:
    """Share of characters a Chinese document is made of: ideographs, CJK and full-width
    punctuation, printable ASCII and whitespace. Random bytes decoded as UTF-16 score far lower."""
    if not text:
        return 0.0
    ok = 0
    for c in text:
        o = ord(c)
        if (0x20 <= o < 0x7F or c in "\n\r\t" or 0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF
                or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or o in (0xA0, 0xB7)):
            ok += 1
    return ok / len(text)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 with no byte-order mark, as some Windows tools write it: try both byte orders and keep
    one only if it reads as plausible text."""
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        share = _plausible_text_share(text[:4096])
        if share >= 0.95 and (best is None or share > best[0]):
            best = (share, text, enc)
    return (best[1], "utf-16") if best else None


def decode_bytes(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Return ``(text, encoding)`` or raise :class:`InputError` naming ``name`` and the fix."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty; give zhen a release with Chinese text in it.")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts with a {enc} byte-order mark but byte {exc.start} is not {enc}; "
                    "re-save the file as UTF-8."
                ) from None
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return text, "utf-8"
    utf16 = _utf16_without_bom(data)  # English-heavy UTF-16 with no BOM is also valid UTF-8, NULs between
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise InputError(f"{name}: looks like a binary file, not text; zhen reads .txt, .md, .html and .docx.")
    if text is not None:  # UTF-8 with a few stray NUL bytes (a damaged copy): they are never content
        return text.replace("\x00", ""), "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
    if best is not None:
        text = str(best)
        if _cjk_share(text) >= 0.2:
            # GB2312 and GBK are subsets of GB18030: report the one name users can act on.
            enc = "gb18030" if best.encoding in ("gb2312", "gbk", "gb18030") else best.encoding
            return text, enc
    raise InputError(
        f"{name}: cannot tell the text encoding (not UTF-8, UTF-16, GB18030 or Big5); "
        "open it in an editor and save it as UTF-8."
    )
