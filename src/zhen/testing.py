"""Build small, real translation models for tests and benchmarks, without downloading anything.

Tests must never touch a model hub, yet they must run the *real* pipeline: the real tokenizer class,
the real model class, the real ``generate``. So we make a model the way Helsinki-NLP's are made,
only tiny: two SentencePiece models (source and target) trained on a parallel set written here, a
shared ``vocab.json`` in Marian's layout, and a small Marian-architecture model trained for a few
seconds until greedy decoding reproduces every pair of the set. The result is an ordinary Hugging
Face model directory that ``zhen`` loads exactly as it loads ``Helsinki-NLP/opus-mt-zh-en``.

"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: The parallel set the tiny model learns. Short sentences from the domain zhen serves, so tests can
#: check that a known sentence comes back as its known translation through the whole pipeline.
PARALLEL_SET: tuple[tuple[str, str], ...] = (
    ("陈亮出席并致辞。", "Chen Liang attended and delivered a speech."),
    ("论坛在南宁举行。", "The forum was held in Nanning."),
    ("广西生态环境质量持续向好。", "Guangxi's ecological environment keeps improving."),
    ("绿色发展潜力巨大。", "Green development has great potential."),
    ("中国经济韧性十足。", "China's economy is highly resilient."),
    ("产业合作不断深化。", "Industrial cooperation keeps deepening."),
    ("我们愿意交流分享经验。", "We are willing to exchange and share experience."),
    ("今年上半年贸易快速增长。", "Trade grew rapidly in the first half of this year."),
    ("双方举行了发布仪式。", "The two sides held a launch ceremony."),
    ("会议聚焦低碳贸易。", "The meeting focused on low-carbon trade."),
    ("开幕式结束后，代表作了发言。", "After the opening ceremony, the representatives spoke."),
    ("推动区域绿色低碳转型。", "Promote the regional green and low-carbon transition."),
    ("加快建设美丽广西。", "Speed up building a beautiful Guangxi."),
    ("生物多样性十分丰富。", "Biodiversity is very rich."),
    ("空气质量优良。", "Air quality is good."),
    ("水质持续改善。", "Water quality continues to improve."),
    ("企业数量全国第一。", "The number of enterprises ranks first in the country."),
    ("下一步，我们将继续努力。", "Next, we will continue to work hard."),
    ("谢谢大家。", "Thank you all."),
    ("新闻中心", "News Center"),
)

#: Characters the source SentencePiece model must know, beyond the parallel set, so that arbitrary
#: Chinese input (the sample releases) maps to real pieces rather than a sea of ``<unk>``.
_EXTRA_SOURCE_TEXT = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
    "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
    "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
    "队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风"
    "切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许"
    "步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列"
    "习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派"
    "层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞，。、；：？！“”《》（）—…0123456789%."
)


#: Every character English output may need (glossary terms, amounts, dates), so the target
#: vocabulary can spell any term even though the model never saw it: as in a real model's vocabulary.
_EXTRA_TARGET_TEXT = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:!?'\"()[]-–—/&%$€£+*#@_ "
    "January February March April May June July August September October November December "
    "billion million trillion yuan HK$ US$ percent percentage points more than"
)


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _train_spm(text_file: Path, prefix: Path, vocab_size: int, model_type: str = "unigram") -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=str(text_file),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        # Marian's layout: </s>=0, <unk>=1, no BOS; <pad> is appended at the end of vocab.json.
        unk_id=1,
        eos_id=0,
        bos_id=-1,
        pad_id=-1,
        minloglevel=2,
        num_threads=1,
    )
    return prefix.with_suffix(".model")


def _shared_vocab(source_model: Path, target_model: Path) -> dict[str, int]:
    """The union of both pieces lists, in the layout of Helsinki-NLP's ``vocab.json``."""
    import sentencepiece as spm

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for model in (source_model, target_model):
        sp = spm.SentencePieceProcessor(model_file=str(model))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    return vocab


def _save_tokenizer_files(out: Path, source_model: Path, target_model: Path, max_len: int) -> dict[str, int]:
    vocab = _shared_vocab(source_model, target_model)
    (out / "source.spm").write_bytes(source_model.read_bytes())
    (out / "target.spm").write_bytes(target_model.read_bytes())
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "MarianTokenizer",
                "source_lang": "zh",
                "target_lang": "en",
                "model_max_length": max_len,
                "separate_vocabs": False,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return vocab


def _build_tokenizer(out: Path, pairs: tuple[tuple[str, str], ...], max_source_len: int,
                     extra_target: tuple[str, ...] = ()) -> dict[str, int]:
    """Train source and target SentencePiece models on ``pairs`` and save Marian's tokenizer files."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src_text = _write_lines(tmpdir / "src.txt", [s for s, _ in pairs] + [_EXTRA_SOURCE_TEXT, _EXTRA_TARGET_TEXT])
        tgt_text = _write_lines(tmpdir / "tgt.txt", [t for _, t in pairs] + [_EXTRA_TARGET_TEXT, *extra_target])
        src_model = _train_spm(src_text, tmpdir / "source", vocab_size=800)
        # with extra target text, room for whole-word pieces: BPE keeps whole words of a small
        # text as pieces, where unigram would prune them
        tgt_model = (_train_spm(tgt_text, tmpdir / "target", vocab_size=4000, model_type="bpe") if extra_target
                     else _train_spm(tgt_text, tmpdir / "target", vocab_size=300))
        return _save_tokenizer_files(out, src_model, tgt_model, max_source_len)


def _marian_config(vocab_size: int, *, d_model: int, layers: int, heads: int, ffn: int, max_len: int):
    from transformers import MarianConfig

    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_len,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        static_position_embeddings=True,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
    )


def _zero_pad_embedding(model) -> None:
    """Marian starts decoding from a zero vector; its ports to transformers start from the
    ``<pad>`` embedding and keep that row at zero. CTranslate2 relies on it
    (``start_from_zero_embedding``). transformers' random init does not zero the row, and with the
    output layer tied to the embeddings training would move it, so the builders keep it zero."""
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[model.config.pad_token_id].zero_()


def _greedy_reproduces(model, tokenizer, pairs) -> int:
    import torch

    src = [s for s, _ in pairs]
    enc = tokenizer(src, return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = model.generate(**enc, num_beams=1, do_sample=False, max_new_tokens=48)
    hyps = tokenizer.batch_decode(out, skip_special_tokens=True)
    return sum(h == t for h, (_, t) in zip(hyps, pairs))


def build_tiny_marian(
    out_dir: str | Path,
    *,
    pairs: tuple[tuple[str, str], ...] = PARALLEL_SET,
    seed: int = 0,
    max_seconds: float = 240.0,
    max_source_len: int = 64,
    max_positions: int = 256,
) -> Path:
    """Train a tiny Marian model that reproduces ``pairs`` and save it as a model directory.

    ``max_source_len`` (the tokenizer's ``model_max_length``) is kept small on purpose, so that long
    sentences of a real release exceed it and the segmenter's clause splitting is exercised;
    ``max_positions`` leaves the decoder room for long outputs with glossary terms in them.
    Raises ``RuntimeError`` if the model cannot reproduce every pair within ``max_seconds``.
    """
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    random.seed(seed)
    torch.manual_seed(seed)
    vocab = _build_tokenizer(out, pairs, max_source_len)

    tokenizer = MarianTokenizer.from_pretrained(str(out))
    config = _marian_config(len(vocab), d_model=64, layers=2, heads=4, ffn=128, max_len=max_positions)
    model = MarianMTModel(config)
    _zero_pad_embedding(model)
    model.generation_config.max_length = max_positions
    model.generation_config.num_beams = 1

    batch = tokenizer([s for s, _ in pairs], text_target=[t for _, t in pairs], return_tensors="pt", padding=True)
    labels = batch["labels"].masked_fill(batch["labels"] == config.pad_token_id, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    start = time.monotonic()
    step = 0
    while True:
        model.train()
        for _ in range(50):
            loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            _zero_pad_embedding(model)  # tied to the output layer, the row gets gradients there
            step += 1
        model.eval()
        ok = _greedy_reproduces(model, tokenizer, pairs)
        log.info("tiny model: step %d loss %.4f reproduces %d/%d", step, loss.item(), ok, len(pairs))
        if ok == len(pairs):
            break
        if time.monotonic() - start > max_seconds:
            raise RuntimeError(f"tiny model reproduced only {ok}/{len(pairs)} pairs after {step} steps")
    model.save_pretrained(str(out))
    (out / "zhen-test-model.json").write_text(
        json.dumps({"built_by": "zhen.testing.build_tiny_marian", "steps": step, "pairs": len(pairs)}),
        encoding="utf-8",
    )
    return out



def glossary_english() -> tuple[str, ...]:
    """The shipped glossaries' English, for a benchmark model's target vocabulary: a real model's
    32k-piece vocabulary spells "Global Development Initiative" in a few pieces, not letter by
    letter, and the required phrases' length in tokens is what constrained decoding works with."""
    from .glossary import load_layers

    return tuple(t for term in load_layers(user=False).terms.values() for t in term.targets)


def build_random_marian(
    out_dir: str | Path,
    *,
    vocab_size: int | None = 65001,
    d_model: int = 512,
    layers: int = 6,
    heads: int = 8,
    ffn: int = 2048,
    max_positions: int = 512,
    seed: int = 0,
    target_text: tuple[str, ...] = (),
) -> Path:
    """A Marian model with random weights and the real architecture; defaults are opus-mt-zh-en's
    (d_model 512, 6+6 layers, 8 heads, FFN 2048, vocabulary 65,001, 512 positions).

    For benchmarks: speed depends on the architecture, not the weights. The tokenizer is trained
    here like the tiny model's; its pieces are the first ids of the vocabulary, the rest are
    placeholders so the embeddings and output layer have the real size. The tiny model's target
    vocabulary is nearly letter by letter (300 pieces); ``target_text`` (e.g. the glossaries'
    English) is added to the target side's training text with room for whole-word pieces, so
    required phrases take about as many tokens as in a real 32k-piece vocabulary.
    """
    import torch
    from transformers import MarianMTModel

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    vocab = _build_tokenizer(out, PARALLEL_SET, max_positions, tuple(target_text))
    del vocab["<pad>"]
    vocab_size = vocab_size or len(vocab) + 1  # None: the trained pieces only, no placeholders
    for i in range(len(vocab), vocab_size - 1):
        vocab[f"<extra_{i}>"] = i
    vocab["<pad>"] = vocab_size - 1
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    config = _marian_config(vocab_size, d_model=d_model, layers=layers, heads=heads, ffn=ffn, max_len=max_positions)
    model = MarianMTModel(config).eval()
    _zero_pad_embedding(model)
    model.save_pretrained(str(out))
    return out
