"""Model directories of each family zhen drives, laid out like the real downloads, for tests and
benchmarks (nothing is downloaded).

Each has its real architecture and its real kind of tokenizer, trained here on text zhen writes:

* NLLB-200: a SentencePiece BPE model in fairseq's layout (``<s> <pad> </s> <unk>``), the 202 language
  codes as special tokens, ``tokenizer.json`` and ``sentencepiece.bpe.model``; an M2M100 model whose
  ``vocab_size`` is two larger than the tokenizer, as the real config's 256206 against 256204.
* MADLAD-400: a SentencePiece unigram model with ``<unk>`` = 0, ``</s>`` = 2 and ``<2xx>`` tags, as
  MADLAD's; a T5 (v1.1, gated-GELU) model with its output layer separate from the embeddings
  (``tie_word_embeddings: false``).
* Chat LLM: a byte-level BPE tokenizer with ChatML's special tokens and Qwen2.5's chat template; a
  Qwen2 model (grouped-query attention, tied embeddings) and a generation config that samples, as
  Qwen2.5-Instruct's does.

``size="tiny"`` gives a few hundred thousand parameters (random weights, fast enough for the suite);
the benchmark sizes are the real models' (NLLB-200-distilled-600M, Qwen2.5-0.5B-Instruct) or, for
MADLAD-400-3B, its layer shapes at reduced depth (the whole model does not fit this machine's use).
:func:`train_chat_answers` teaches a tiny chat model to answer with chatter around its translation.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from .testing import _EXTRA_SOURCE_TEXT, _EXTRA_TARGET_TEXT, PARALLEL_SET, glossary_english

FAMILY_SIZES = {
    "nllb": {"tiny": dict(d_model=32, layers=2, heads=2, ffn=64),
             # facebook/nllb-200-distilled-600M
             "real": dict(d_model=1024, layers=12, heads=16, ffn=4096, vocab_size=256206)},
    "madlad": {"tiny": dict(d_model=32, d_kv=8, layers=2, heads=4, ffn=64),
               # google/madlad400-3b-mt's layer shapes (32+32 layers in the real model)
               "real": dict(d_model=1024, d_kv=128, layers=4, heads=16, ffn=8192, vocab_size=256000)},
    "chat": {"tiny": dict(hidden=64, layers=2, heads=4, kv_heads=2, ffn=128),
             # Qwen/Qwen2.5-0.5B-Instruct
             "real": dict(hidden=896, layers=24, heads=14, kv_heads=2, ffn=4864, vocab_size=151936)},
}

QWEN_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}{%- if message['role'] != 'system' %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def _texts(benchmark: bool) -> list[str]:
    from .textnorm import convert_script

    source = [s for s, _ in PARALLEL_SET] + [_EXTRA_SOURCE_TEXT]
    english = [t for _, t in PARALLEL_SET] + [_EXTRA_TARGET_TEXT] + (list(glossary_english()) if benchmark else [])
    return source + [convert_script(s, "s2t") for s in source] + english


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _spm(lines: list[str], prefix: Path, vocab_size: int, **ids) -> Path:
    import sentencepiece as spm

    text = prefix.with_suffix(".txt")
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(text), model_prefix=str(prefix), vocab_size=vocab_size,
                                   character_coverage=1.0, hard_vocab_limit=False, minloglevel=2, num_threads=1, **ids)
    return prefix.with_suffix(".model")


def build_nllb(out_dir: str | Path, *, size: str = "tiny", seed: int = 0) -> Path:
    """An NLLB-200 model directory (random weights): config, generation config, tokenizer.json with
    the language codes, sentencepiece.bpe.model, model.safetensors."""
    import torch
    from transformers import AutoTokenizer, M2M100Config, M2M100ForConditionalGeneration
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    dims = FAMILY_SIZES["nllb"][size]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_file = _spm(_texts(size != "tiny"), Path(tmp) / "nllb", 1600 if size == "tiny" else 4000,
                          model_type="bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
        shutil.copy(model_file, out / "sentencepiece.bpe.model")
    _write(out / "tokenizer_config.json", {"tokenizer_class": "NllbTokenizer", "src_lang": "eng_Latn",
                                           "tgt_lang": None, "model_max_length": 1024})
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    tokenizer.add_special_tokens({"additional_special_tokens": list(FAIRSEQ_LANGUAGE_CODES)})
    tokenizer.save_pretrained(str(out))
    vocab = dims.get("vocab_size", len(tokenizer) + 2)  # the real config's is two larger than its tokenizer
    config = M2M100Config(
        vocab_size=vocab, d_model=dims["d_model"], encoder_layers=dims["layers"], decoder_layers=dims["layers"],
        encoder_attention_heads=dims["heads"], decoder_attention_heads=dims["heads"],
        encoder_ffn_dim=dims["ffn"], decoder_ffn_dim=dims["ffn"], max_position_embeddings=1024,
        scale_embedding=True, activation_function="relu", dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        tokenizer_class="NllbTokenizer", architectures=["M2M100ForConditionalGeneration"])
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.generation_config.max_length = 200
    model.save_pretrained(str(out))
    return out


def build_madlad(out_dir: str | Path, *, size: str = "tiny", seed: int = 0) -> Path:
    """A MADLAD-400 model directory (random weights): T5 config with untied output layer,
    spiece.model with ``<2xx>`` tags, tokenizer.json, model.safetensors."""
    import torch
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    dims = FAMILY_SIZES["madlad"][size]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_file = _spm(_texts(size != "tiny"), Path(tmp) / "spiece", 1600 if size == "tiny" else 4000,
                          model_type="unigram", unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
                          user_defined_symbols=["<2en>", "<2zh>", "<2zh_Hant>", "<2de>", "<2fr>"])
        shutil.copy(model_file, out / "spiece.model")
    _write(out / "tokenizer_config.json", {"tokenizer_class": "T5Tokenizer", "eos_token": "</s>", "unk_token": "<unk>",
                                           "pad_token": "<s>", "extra_ids": 0})
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    vocab = dims.get("vocab_size", len(tokenizer))
    config = T5Config(
        vocab_size=vocab, d_model=dims["d_model"], d_kv=dims["d_kv"], d_ff=dims["ffn"], num_layers=dims["layers"],
        num_decoder_layers=dims["layers"], num_heads=dims["heads"], feed_forward_proj="gated-gelu",
        decoder_start_token_id=0, eos_token_id=2, pad_token_id=1, dropout_rate=0.0, layer_norm_epsilon=1e-6,
        architectures=["T5ForConditionalGeneration"])
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config).eval()
    with torch.no_grad():  # MADLAD's output layer is its own, not the embeddings
        model.lm_head.weight = torch.nn.Parameter(torch.randn_like(model.shared.weight) * dims["d_model"] ** -0.5)
    model.save_pretrained(str(out))
    saved = json.loads((out / "config.json").read_text("utf-8"))
    saved["tie_word_embeddings"] = False  # what MADLAD's file says (transformers 5 writes True for any T5)
    _write(out / "config.json", saved)
    return out


def build_chat(out_dir: str | Path, *, size: str = "tiny", seed: int = 0) -> Path:
    """A Qwen2.5-Instruct-like directory (random weights): byte-level BPE tokenizer.json with ChatML
    tokens and chat template, Qwen2 config, a sampling generation config, model.safetensors."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    dims = FAMILY_SIZES["chat"][size]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1500 if size == "tiny" else 4000, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    prompts = ["Translate the following Chinese text into English. Output only the English translation, with no "
               "explanation.", "Sure! Here is the translation:", "system user assistant You are Qwen"]
    backend.train_from_iterator(_texts(size != "tiny") + prompts, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        unk_token=None, model_max_length=32768)
    tokenizer.chat_template = QWEN_TEMPLATE
    tokenizer.save_pretrained(str(out))
    saved = json.loads((out / "tokenizer_config.json").read_text("utf-8"))
    saved["tokenizer_class"] = "Qwen2Tokenizer"
    _write(out / "tokenizer_config.json", saved)
    ids = {t: backend.token_to_id(t) for t in specials}
    config = Qwen2Config(
        vocab_size=dims.get("vocab_size", backend.get_vocab_size()), hidden_size=dims["hidden"],
        intermediate_size=dims["ffn"], num_hidden_layers=dims["layers"], num_attention_heads=dims["heads"],
        num_key_value_heads=dims["kv_heads"], max_position_embeddings=32768, tie_word_embeddings=True,
        rope_theta=1000000.0, bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"], architectures=["Qwen2ForCausalLM"])
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config.update(do_sample=True, temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.05,
                                   eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
                                   pad_token_id=ids["<|endoftext|>"])
    model.save_pretrained(str(out))
    return out


BUILDERS = {"nllb": build_nllb, "madlad": build_madlad, "chat": build_chat}


def train_chat_answers(model_dir: str | Path, pairs: tuple[tuple[str, str], ...], *,
                       answer: str = "Sure! Here is the translation:\n\n{en}", max_steps: int = 3000,
                       max_seconds: float = 240.0) -> int:
    """Teach the chat model at ``model_dir`` to answer zhen's generic prompt for each source of
    ``pairs`` with ``answer`` (chatter around the English), until greedy decoding gives every
    answer; saves it and returns the steps taken."""
    import time

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .engines.drivers import PROMPTS

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    rows = []
    for zh, en in pairs:
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": PROMPTS["generic"].render(zh, [])}],
                                               tokenize=False, add_generation_prompt=True)
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer.format(en=en), add_special_tokens=False)["input_ids"] + [end]
        rows.append((p, a))
    width = max(len(p) + len(a) for p, a in rows)
    pad = model.config.pad_token_id
    ids = torch.tensor([p + a + [pad] * (width - len(p) - len(a)) for p, a in rows])
    labels = torch.tensor([[-100] * len(p) + a + [-100] * (width - len(p) - len(a)) for p, a in rows])
    mask = torch.tensor([[1] * (len(p) + len(a)) + [0] * (width - len(p) - len(a)) for p, a in rows])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    start, step = time.monotonic(), 0
    while True:
        model.train()
        for _ in range(50):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
        model.eval()
        good = 0
        with torch.inference_mode():
            for p, a in rows:
                got = model.generate(torch.tensor([p]), max_new_tokens=len(a) + 2, do_sample=False,
                                     eos_token_id=end, pad_token_id=pad)[0, len(p):].tolist()
                good += got[: len(a)] == a
        if good == len(rows):
            break
        if step >= max_steps or time.monotonic() - start > max_seconds:
            raise RuntimeError(f"the chat model learned {good}/{len(rows)} answers in {step} steps")
    model.save_pretrained(str(model_dir))
    return step
