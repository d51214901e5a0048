"""How each model family is driven, shared by both engines so they feed a model the same tokens.

A family differs in three places, and nowhere else: what the encoder (or, for a chat model, the
prompt) is given, what the decoder starts from, and how the answer is read back.

* Marian (opus-mt): the source as its tokenizer makes it; the decoder starts from its start token.
* NLLB-200 / M2M100: ``zho_Hans`` or ``zho_Hant`` (by the segment's script) before the source, and
  the decoder starts from ``</s> eng_Latn``: the target language is forced, never guessed.
* MADLAD-400 (T5): ``<2en>`` before the source names the target.
* Chat LLM translators: a prompt made from the model's template (:data:`PROMPTS`, or the user's),
  with the glossary entries found in the segment written into it; the answer is read back without
  the chatter some models wrap it in. Each segment is its own prompt, so no output can swallow the
  next segment.

Whatever the family, the required phrases are then steered to and checked by the same code
(:mod:`zhen.engines.constraints`, :mod:`zhen.engines.phrases`).

Traps of the pinned library versions, handled here: transformers 5's ``T5Tokenizer`` maps an unknown
character to id 2 (``</s>`` in MADLAD's vocabulary: the source would end there) instead of the
vocabulary's ``<unk>``; an NLLB directory without ``tokenizer.json`` gives a tokenizer where every
language code is ``<unk>`` (refused: it cannot be driven correctly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError
from ..families import Family, read_config

#: the markers a subword tokenizer puts on a piece that starts a word (SentencePiece, byte-level BPE)
WORD_STARTS = ("▁", "Ġ")


class Driver:
    """Marian's way, which the other families change where they differ."""

    causal = False

    def __init__(self, family: Family, tokenizer: Any, config: dict, path: Path, prompt: str | None = None) -> None:
        self.family = family
        self.tokenizer = tokenizer
        self.config = config
        vocab = tokenizer.get_vocab()
        starts = {m: sum(1 for p in vocab if p.startswith(m)) for m in WORD_STARTS}
        #: the word-start marker of this vocabulary's pieces
        self.word_start = max(starts, key=starts.__getitem__)
        #: decoder tokens after its start token (NLLB: the target language's code)
        self.target_prefix: list[int] = []
        #: tokens the driver puts in the source that are not the text's (language codes, tags)
        self.markers: set[str] = set()

    def continues_word(self, piece: str) -> bool:
        """Whether ``piece`` glues onto the word before it: no word-start marker, and a letter or
        digit first (with byte-level BPE an ASCII one: its other bytes show as Latin letters)."""
        if not piece[:1].isalnum() or piece.startswith(self.word_start):
            return False
        return piece[:1].isascii() or self.word_start != "Ġ"

    def source_ids(self, text: str, terms: list[tuple[str, str]] = ()) -> list[int]:
        """What the model is given for ``text``; ``terms`` (source, English) are the segment's
        requirements, which a chat model is told in its prompt."""
        return list(self.tokenizer(text)["input_ids"])

    def segment_tokens(self, text: str) -> int:
        """How long ``text`` is for the model, as segmentation measures it."""
        return len(self.source_ids(text))

    def answer(self, text: str, source: str = "") -> str:
        """The English in what the model wrote for ``source``."""
        return text.strip()

    @property
    def stop_ids(self) -> list[int]:
        eos = self.config.get("eos_token_id", self.tokenizer.eos_token_id)
        return [eos] if isinstance(eos, int) else list(eos)

    def signature(self) -> dict[str, Any]:
        return {"family": self.family.name}


class NllbDriver(Driver):
    """``zho_Hans``/``zho_Hant`` + source + ``</s>``; the decoder starts ``</s> eng_Latn``."""

    def __init__(self, family: Family, tokenizer: Any, config: dict, path: Path, prompt: str | None = None) -> None:
        super().__init__(family, tokenizer, config, path, prompt)
        tok = self.tokenizer
        codes = {c: tok.convert_tokens_to_ids(c) for c in ("zho_Hans", "zho_Hant", "eng_Latn")}
        unknown = [c for c, i in codes.items() if i is None or i == tok.unk_token_id]
        if unknown:
            raise ModelLoadError(
                f"{path}: an {self.family.label} model whose tokenizer does not know the language code {unknown[0]} "
                f"(a model directory without tokenizer.json, or not an NLLB model); pull it again with "
                f"`zhen models pull` so tokenizer.json comes with it.")
        self.codes = codes
        self.target_prefix = [codes["eng_Latn"]]
        self.markers = set(codes)

    def source_code(self, text: str) -> str:
        from ..normalize import script_counts

        trad, simp = script_counts(text)
        return "zho_Hant" if trad > simp else "zho_Hans"

    def source_ids(self, text: str, terms: list[tuple[str, str]] = ()) -> list[int]:
        body = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [self.codes[self.source_code(text)], *body, self.tokenizer.eos_token_id]

    def signature(self) -> dict[str, Any]:
        return {"family": self.family.name, "source_code": "zho_Hans/zho_Hant by script", "target_code": "eng_Latn"}


class MadladDriver(Driver):
    """``<2en>`` + source + ``</s>``."""

    TAG = "<2en>"

    def __init__(self, family: Family, tokenizer: Any, config: dict, path: Path, prompt: str | None = None) -> None:
        super().__init__(family, tokenizer, config, path, prompt)
        tok = self.tokenizer
        tag = tok.convert_tokens_to_ids(self.TAG)
        if tag is None or tag == tok.unk_token_id:
            raise ModelLoadError(f"{path}: a {self.family.label} model whose vocabulary has no {self.TAG} tag, so it "
                                 f"cannot be told to write English; is this a MADLAD-400 model?")
        _repair_unknown_id(tok)
        self.markers = {self.TAG}

    def source_ids(self, text: str, terms: list[tuple[str, str]] = ()) -> list[int]:
        return list(self.tokenizer(f"{self.TAG} {text}")["input_ids"])

    def segment_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"]) + 1

    def signature(self) -> dict[str, Any]:
        return {"family": self.family.name, "target_tag": self.TAG}


def _repair_unknown_id(tokenizer: Any) -> None:
    """transformers 5 builds a T5 tokenizer's Unigram model with T5's layout (``<unk>`` = 2) even
    for a vocabulary like MADLAD's, where 2 is ``</s>``: an unknown character would end the source.
    The backend is rebuilt with the vocabulary's own ``<unk>``."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    unk = tokenizer.unk_token_id
    if backend is None or unk is None:
        return
    state = json.loads(backend.to_str())
    model = state.get("model", {})
    if model.get("type") == "Unigram" and model.get("unk_id") not in (None, unk):
        from tokenizers import Tokenizer

        model["unk_id"] = unk
        tokenizer._tokenizer = Tokenizer.from_str(json.dumps(state))


# --- chat LLM translators --------------------------------------------------------------------------
@dataclass(frozen=True)
class PromptTemplate:
    """How a chat model is asked to translate one segment.

    ``user`` holds ``{source}`` and may hold ``{terms}``: the segment's requirements, one ``term``
    line each (``{zh}``, ``{en}``), under ``terms_header``; with none, ``plain`` (when given) is the
    prompt instead. ``chat``: sent through the model's chat template (else as raw text)."""

    name: str
    user: str
    term: str = "{zh} → {en}"
    terms_header: str = ""
    plain: str = ""
    chat: bool = True
    source: str = "built in"

    def render(self, text: str, terms: list[tuple[str, str]]) -> str:
        lines = "\n".join(self.term.format(zh=zh, en=en) for zh, en in dict.fromkeys(terms))
        if not terms and self.plain:
            return self.plain.format(source=text)
        block = f"{self.terms_header}{lines}\n\n" if lines else ""
        return self.user.replace("{terms}", block).replace("{source}", text)


#: prompt templates by name; a model gets the one :func:`template_for` picks, or the user's
PROMPTS: dict[str, PromptTemplate] = {
    "generic": PromptTemplate(
        "generic",
        "Translate the following Chinese text into English. Output only the English translation, "
        "with no explanation.\n\n{terms}{source}",
        terms_header="Use these English renderings for these terms:\n"),
    # Tencent Hunyuan-MT / HY-MT: the model card's terminology-intervention prompt, and its plain one
    "hunyuan-mt": PromptTemplate(
        "hunyuan-mt",
        "{terms}将以下文本翻译为English，注意只需要输出翻译后的结果，不要额外解释：\n{source}",
        term="{zh} 翻译成 {en}", terms_header="参考下面的翻译：\n",
        plain="把下面的文本翻译成English，不要额外解释。\n\n{source}"),
    # ByteDance Seed-X: raw text, the target language tag at the end; its card gives no
    # terminology form, so terms are left to zhen's steering
    "seed-x": PromptTemplate(
        "seed-x", "Translate the following Chinese sentence into English:\n{source} <en>", term="", chat=False,
        plain="Translate the following Chinese sentence into English:\n{source} <en>"),
}


def template_for(config: dict, path: Path, asked: str | None = None) -> PromptTemplate:
    """The prompt template for a chat model: ``asked`` (a name in :data:`PROMPTS`, or a file: a
    ``.json`` with PromptTemplate's fields, or a text file that is the ``user`` prompt), else the
    one its card publishes (Hunyuan-MT, Seed-X), else ``generic``."""
    if asked:
        if asked in PROMPTS:
            return PROMPTS[asked]
        file = Path(asked)
        if not file.is_file():
            raise ModelLoadError(f"--prompt {asked}: neither a file nor one of the built-in templates "
                                 f"({', '.join(PROMPTS)}).")
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".json":
            try:
                fields = json.loads(text)
                template = PromptTemplate(**{"name": file.stem, **fields, "source": str(file)})
            except (ValueError, TypeError) as exc:
                raise ModelLoadError(f"{file}: not a prompt template ({exc}); its fields are user, term, "
                                     f"terms_header, plain and chat.") from None
        else:
            template = PromptTemplate(file.stem, text.strip(), source=str(file))
        if "{source}" not in template.user:
            raise ModelLoadError(f"{file}: the prompt has no {{source}}, where the segment to translate goes.")
        return template
    kind = str(config.get("model_type", "")).lower()
    name = path.name.lower()
    if kind.startswith("hunyuan") or "hunyuan-mt" in name or "hy-mt" in name:
        return PROMPTS["hunyuan-mt"]
    if "seed-x" in name or "seed_x" in name:
        return PROMPTS["seed-x"]
    return PROMPTS["generic"]


#: what a chat model may say around its translation
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok)\b[^\n]*?(?:[:：]\s*|\n+|[.!]\s+(?=here))"
    r"|(?:here(?:'s| is| are)|below is)[^\n:：]*[:：]\s*"
    r"|(?:english\s+)?translation\s*[:：]\s*|english\s*[:：]\s*|译文\s*[:：]\s*)",
    re.IGNORECASE)
_NOTES = re.compile(r"\n\s*(?:\(?\s*(?:note|notes|explanation|translator'?s note)\s*[:：]|注[:：]).*\Z",
                    re.IGNORECASE | re.DOTALL)
_QUOTES = {"\"": "\"", "“": "”", "'": "'", "「": "」"}


def strip_chatter(answer: str, source: str = "") -> str:
    """The translation in a chat model's answer: without a preamble ("Sure! Here is the
    translation:"), code fences, trailing notes, or quotes around the whole answer (kept when the
    source is quoted too); its lines joined when the source is one line."""
    text = answer.strip()
    fence = re.fullmatch(r"```[\w-]*\n?(.*?)\n?```", text, re.DOTALL)
    if fence:
        text = fence.group(1).strip()
    for _ in range(2):  # "Sure! Here is the translation:" is two preambles
        text = _PREAMBLE.sub("", text, count=1).strip()
    text = _NOTES.sub("", text).strip()
    if len(text) > 1 and _QUOTES.get(text[0]) == text[-1] and source.strip()[:1] not in "\"“'「":
        text = text[1:-1].strip()
    if "\n" not in source.strip():
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text


class ChatDriver(Driver):
    """A decoder-only model asked through its prompt template; the answer is what follows the prompt."""

    causal = True

    def __init__(self, family: Family, tokenizer: Any, config: dict, path: Path, prompt: str | None = None) -> None:
        super().__init__(family, tokenizer, config, path, prompt)
        self.template = template_for(config, path, prompt)
        if self.template.chat and not getattr(tokenizer, "chat_template", None):
            raise ModelLoadError(f"{path}: a chat model without a chat template (is it a base model?); "
                                 f"give a prompt with --prompt (a raw-text template, \"chat\": false).")
        generation = _read_json(path / "generation_config.json")
        ids = generation.get("eos_token_id", config.get("eos_token_id"))
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        for token in (tokenizer.eos_token, "<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>"):
            i = tokenizer.convert_tokens_to_ids(token) if token else None
            if i is not None and i != tokenizer.unk_token_id and token in tokenizer.get_vocab():
                ids.append(i)
        self._stops = list(dict.fromkeys(ids))
        if not self._stops:
            raise ModelLoadError(f"{path}: the model names no end-of-answer token (eos_token_id), so its answers "
                                 f"could not be told to stop.")

    @property
    def stop_ids(self) -> list[int]:
        return self._stops

    def prompt(self, text: str, terms: list[tuple[str, str]] = ()) -> str:
        user = self.template.render(text, list(terms))
        if not self.template.chat:
            return user
        return self.tokenizer.apply_chat_template([{"role": "user", "content": user}], tokenize=False,
                                                  add_generation_prompt=True)

    def source_ids(self, text: str, terms: list[tuple[str, str]] = ()) -> list[int]:
        ids = list(self.tokenizer(self.prompt(text, terms), add_special_tokens=False)["input_ids"])
        bos = self.tokenizer.bos_token_id
        if not self.template.chat and bos is not None and (not ids or ids[0] != bos):
            ids.insert(0, bos)
        return ids

    def segment_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) + 1

    def answer(self, text: str, source: str = "") -> str:
        return strip_chatter(text, source)

    def signature(self) -> dict[str, Any]:
        return {"family": self.family.name, "prompt": self.template.name, "prompt_from": self.template.source}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


DRIVERS: dict[str, type[Driver]] = {"marian": Driver, "nllb": NllbDriver, "madlad": MadladDriver, "chat": ChatDriver}


def driver_for(family: Family, tokenizer: Any, path: Path, prompt: str | None = None) -> Driver:
    return DRIVERS[family.name](family, tokenizer, read_config(path), path, prompt)


def prompt_terms(constraints: list[list[str]] | None, anchors: list[str] | None) -> list[tuple[str, str]]:
    """A segment's requirements as (source, preferred English) pairs, for a chat model's prompt."""
    return [(a, c[0]) for a, c in zip(anchors, constraints) if a and c] if anchors and constraints else []
