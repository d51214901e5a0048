"""opus-mt's tokenizer read straight from ``source.spm``, ``target.spm`` and ``vocab.json``.

The CTranslate2 engine needs a tokenizer, not a model: importing transformers to get
``MarianTokenizer`` costs about 1.7 s of start-up (transformers, then torch), longer than loading and
running a converted model on a short release. This class does what ``MarianTokenizer`` does for a
model with one vocabulary (opus-mt-zh-en's layout), with SentencePiece alone: the source (or, for
``text_target``, the target) SentencePiece pieces mapped through ``vocab.json`` (a piece not in it is
``<unk>``), ``</s>`` appended; decoding joins the pieces with the source model, as MarianTokenizer
does for a shared vocabulary. The suite checks it gives the same ids and text as transformers' own.
A model with separate vocabularies is left to transformers' tokenizer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FILES = ("source.spm", "target.spm", "vocab.json")


def can_read(path: Path) -> bool:
    """Whether ``path`` is a Marian directory this class reads (one vocabulary for both sides)."""
    if not all((path / f).is_file() for f in FILES):
        return False
    try:
        config = json.loads((path / "tokenizer_config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = {}
    return not config.get("separate_vocabs") and config.get("tokenizer_class", "MarianTokenizer") == "MarianTokenizer"


class MarianSpmTokenizer:
    def __init__(self, path: str | Path) -> None:
        import sentencepiece as spm

        path = Path(path)
        try:
            config = json.loads((path / "tokenizer_config.json").read_text("utf-8"))
        except (OSError, ValueError):
            config = {}
        self.encoder: dict[str, int] = json.loads((path / "vocab.json").read_text("utf-8"))
        self.decoder = {i: t for t, i in self.encoder.items()}
        self.source = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.unk_token = config.get("unk_token", "<unk>")
        self.eos_token = config.get("eos_token", "</s>")
        self.pad_token = config.get("pad_token", "<pad>")
        self.model_max_length = int(config.get("model_max_length", 512))
        self.all_special_tokens = [self.eos_token, self.unk_token, self.pad_token]
        self._special_ids = {self.encoder[t] for t in self.all_special_tokens if t in self.encoder}
        self.unk_token_id = self.encoder[self.unk_token]
        self.eos_token_id = self.encoder.get(self.eos_token)
        self.pad_token_id = self.encoder.get(self.pad_token)

    def get_vocab(self) -> dict[str, int]:
        return dict(self.encoder)

    def _pieces(self, text: str, target: bool) -> list[str]:
        code = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:  # a target-language code, kept whole
            code, text = [text[: end + 2]], text[end + 2 :]
        return code + (self.target if target else self.source).encode(text, out_type=str)

    def __call__(self, text: str | None = None, *, text_target: str | None = None,
                 add_special_tokens: bool = True) -> dict[str, Any]:
        target = text is None
        pieces = self._pieces(text_target if target else text, target)
        ids = self.convert_tokens_to_ids(pieces)
        return {"input_ids": ids + [self.eos_token_id] if add_special_tokens else ids}

    def convert_tokens_to_ids(self, tokens):
        if isinstance(tokens, str):
            return self.encoder.get(tokens, self.unk_token_id)
        return [self.encoder.get(t, self.unk_token_id) for t in tokens]

    def convert_ids_to_tokens(self, ids):
        def one(i: int) -> str:
            if i in self.decoder:
                return self.decoder[i]
            piece = self.target.IdToPiece(i) if 0 <= i < self.target.GetPieceSize() else ""
            return piece or self.unk_token

        return one(ids) if isinstance(ids, int) else [one(int(i)) for i in ids]

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        tokens = [t for i, t in zip(ids, self.convert_ids_to_tokens(list(ids)))
                  if not (skip_special_tokens and i in self._special_ids)]
        out, run = "", []
        for token in tokens:  # special tokens are not SentencePiece pieces
            if token in self.all_special_tokens:
                out += self.source.decode_pieces(run) + token + " "
                run = []
            else:
                run.append(token)
        out += self.source.decode_pieces(run)
        return out.replace("▁", " ").strip()
