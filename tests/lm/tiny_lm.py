"""Tiny local language models for the LM tests, and brute-force oracles to check the exact method against.

The tokenizers are trained here with `tokenizers` on a small corpus full of numbers: a GPT-2 style byte-level
BPE (multi-digit tokens such as " 19", " 2019" are single tokens) and a digit-split variant (" " then "1",
like SmolLM2 and Llama). The models are random GPT-2s with sharpened embeddings so the next-token
distributions are far from uniform. Nothing here needs the internet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import torch

CORPUS = [
    "The town has a population of 19,000 people and the city 2019 residents.",
    "In 2019 the river was 1,234 km long, and in 2020 it was 1.5 km wider.",
    "The lake covers 0.05 square km, the sea 0.5 and the ocean 12.5 million.",
    "A price of $19.99 or $1,999 or $ 250 is 19 19 19 1 2 3 4 5 6 7 8 9 10 100 1000.",
    "The distance is 0.007 or 007 or 00.5 or 3.14 or 42 or 8,848 m.",
    "Page 12, page 7, age 34, 56% and 78 percent; 9.81, 6.02, 0.001.",
    "with a population size of 12 345 678 and 2,000,000 and 300.",
    "The year was 1999, the year 2000, the year 2019, the year 2021.\n\n  1  22   333\t4",
]
SPECIAL = "<|endoftext|>"
SHARPNESS = 8.0


def train_tokenizer(digit_split: bool, vocab_size: int = 160):
    """A byte-level BPE tokenizer (GPT-2 style) or its digit-split variant, as a transformers tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.pre_tokenizer = (
        pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
        if digit_split
        else byte_level
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[SPECIAL], show_progress=False)
    tokenizer.train_from_iterator(CORPUS * 20, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token=SPECIAL, bos_token=SPECIAL)


def save_tiny_lm(directory: Path, digit_split: bool, seed: int = 0) -> Path:
    """Build a random 2-layer GPT-2 on a locally trained tokenizer and save both in Hugging Face layout."""
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = train_tokenizer(digit_split)
    torch.manual_seed(seed)
    special = tokenizer.convert_tokens_to_ids(SPECIAL)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=special,
        eos_token_id=special,
    )
    model = GPT2LMHeadModel(config)
    with torch.no_grad():  # sharper logits: the tied embeddings set their scale
        model.transformer.wte.weight.mul_(SHARPNESS)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


# --- the oracle: the module docstring's grammar, written over whole strings with regular expressions ------

_WS = "[ \t]*"
_LEAD = re.compile(_WS + r"(0+\.0*|0*)([1-9])")
_OPEN = re.compile(_WS + r"(0+\.?0*)?")
REJECT = "reject"


def classify(text: str, position: str) -> int | str | None:
    """The label of a continuation text, REJECT if it is not a number, None if the text is still undecided."""
    match = _LEAD.match(text)
    if match is None:
        return None if _OPEN.fullmatch(text) else REJECT
    first = int(match.group(2))
    if position == "first":
        return first
    rest = text[match.end() :]
    if not rest:
        return None
    if rest[0] in "0123456789":
        second = int(rest[0])
    elif rest[0] in ",." and "." not in match.group(1):
        if len(rest) == 1:
            return None
        second = int(rest[1]) if rest[1] in "0123456789" else 0
    else:
        second = 0
    return second if position == "second" else 10 * first + second


def brute_force(lm, prompt: str, position: str, depth: int) -> tuple[dict[int, float], float]:
    """Label masses and undecided mass, enumerating every continuation up to `depth` tokens.

    Probabilities come from full forward passes over prompt + continuation (no cache, no padding), and each
    continuation is classified by decoding its whole text with `classify`.
    """
    tokenizer, model = lm.tokenizer, lm.model
    prompt_ids = tokenizer.encode(prompt)
    prompt_text = tokenizer.decode(prompt_ids, clean_up_tokenization_spaces=False)
    masses: dict[int, float] = defaultdict(float)
    undecided: list[tuple[tuple[int, ...], float]] = [((), 1.0)]
    for _ in range(depth):
        if not undecided:
            break
        inputs = torch.tensor([prompt_ids + list(seq) for seq, _ in undecided])
        with torch.no_grad():
            probabilities = torch.softmax(model(input_ids=inputs).logits[:, -1].double(), dim=-1)
        still_open = []
        for (seq, mass), row in zip(undecided, probabilities.tolist(), strict=True):
            for token, p in enumerate(row):
                ids = [*prompt_ids, *seq, token]
                text = tokenizer.decode(ids, clean_up_tokenization_spaces=False)[len(prompt_text) :]
                verdict = classify(text, position)
                if verdict is None:
                    still_open.append(((*seq, token), mass * p))
                elif verdict != REJECT:
                    masses[verdict] += mass * p
        undecided = still_open
    return dict(masses), sum(mass for _, mass in undecided)


def nine_digit_token_ids(tokenizer) -> list[int]:
    """The tokens " 1".." 9" where the tokenizer encodes each as one token, else "1".."9" (found by encoding,
    not by decoding the vocabulary as the library does)."""
    ids = []
    for digit in range(1, 10):
        spaced = tokenizer.encode(f" {digit}", add_special_tokens=False)
        ids.append(spaced[0] if len(spaced) == 1 else tokenizer.encode(str(digit), add_special_tokens=False)[0])
    return ids
