"""The embedded default model (SmolLM2-135M via GGUF): caching, sampling agreement, low number mass.

The first load in a session dequantises the GGUF file into a temporary cache (about 20 s); the rest reuse it.
"""

from __future__ import annotations

import json
import os
import warnings
from collections import Counter

import numpy as np
import pytest
import scipy.stats
import torch

from priorlab.lm.api import LowNumberMassWarning, digit_distribution
from priorlab.lm.loading import load_lm

try:
    from . import tiny_lm
except ImportError:
    import tiny_lm

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def default_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("priorlab-cache")


@pytest.fixture(scope="session")
def default_lm(default_cache):
    return load_lm("default", cache_dir=default_cache)


def test_conversion_is_cached_and_reloads_identically(default_lm, default_cache):
    (entry,) = (default_cache / "models").iterdir()  # one entry, no staging leftovers
    manifest = json.loads((entry / "priorlab-cache.json").read_text())
    assert manifest["format_version"] == 1 and len(manifest["sha256"]) == 64
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in entry.iterdir()}
    assert not any(p.suffix == ".bin" or p.suffix == ".pt" for p in entry.iterdir())  # no pickles
    again = load_lm("default", cache_dir=default_cache)
    original, cached = default_lm.model.state_dict(), again.model.state_dict()
    assert original.keys() == cached.keys()
    assert all(torch.equal(original[k], cached[k]) for k in original)
    text = "with a population size of 0.05"
    assert again.tokenizer.encode(text) == default_lm.tokenizer.encode(text)


def sample_first_digits(lm, prompt: str, draws: int, depth: int, seed: int) -> tuple[Counter, int]:
    """Ancestral sampling of continuations, grouped by prefix: one forward per distinct open prefix per level.

    Each draw follows the model token by token until the regex oracle decides its first digit (or that no
    number follows); returns the digit counts and the number of draws still undecided at `depth`.
    """
    generator = torch.Generator().manual_seed(seed)
    prompt_ids = lm.tokenizer.encode(prompt)
    prompt_text = lm.tokenizer.decode(prompt_ids)
    digits: Counter = Counter()
    open_prefixes: Counter = Counter({(): draws})
    for _ in range(depth):
        if not open_prefixes:
            break
        prefixes = list(open_prefixes)
        with torch.no_grad():
            inputs = torch.tensor([prompt_ids + list(p) for p in prefixes])
            logits = lm.model(input_ids=inputs, logits_to_keep=1).logits[:, -1]
        probabilities = torch.softmax(logits.double(), dim=-1)
        still_open: Counter = Counter()
        for prefix, row in zip(prefixes, probabilities, strict=True):
            sampled = torch.multinomial(row, open_prefixes[prefix], replacement=True, generator=generator)
            for token, count in Counter(sampled.tolist()).items():
                text = lm.tokenizer.decode([*prompt_ids, *prefix, token])[len(prompt_text) :]
                verdict = tiny_lm.classify(text, "first")
                if verdict is None:
                    still_open[(*prefix, token)] += count
                elif verdict != tiny_lm.REJECT:
                    digits[verdict] += count
        open_prefixes = still_open
    return digits, sum(open_prefixes.values())


@pytest.mark.parametrize("prompt", ["with a population size of", "The river has a length of"])
def test_ancestral_sampling_agrees_with_the_exact_distribution(default_lm, prompt):
    draws = 30_000
    (exact,) = digit_distribution(default_lm, [prompt], "first")
    counts, undecided = sample_first_digits(default_lm, prompt, draws, depth=6, seed=1)
    assert undecided <= 5
    masses = exact.probabilities * exact.number_mass  # P(number with first digit d)
    observed = np.array([counts[int(d)] for d in exact.digits]) / draws
    sigma = np.sqrt(masses * (1 - masses) / draws)
    assert np.all(np.abs(observed - masses) <= 5 * sigma + exact.unresolved_mass + 1e-4)
    number_sigma = np.sqrt(exact.number_mass * (1 - exact.number_mass) / draws)
    assert abs(observed.sum() - exact.number_mass) <= 5 * number_sigma + exact.unresolved_mass + 1e-4
    # Jointly: nine digits plus "no number" (undecided draws included), a chi-square goodness of fit.
    counts_all = np.append(observed * draws, draws - observed.sum() * draws)
    expected_all = np.append(masses, 1 - masses.sum()) * draws
    assert scipy.stats.chisquare(counts_all, expected_all * draws / expected_all.sum()).pvalue > 1e-4


def test_a_prompt_that_rarely_leads_to_a_number_warns(default_lm):
    with pytest.warns(LowNumberMassWarning, match="Hello, my name is"):
        (result,) = digit_distribution(default_lm, ["Hello, my name is"], "first")
    assert 0 < result.number_mass < 1e-3
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(result.probabilities))


def test_nine_token_method_misses_digit_split_numbers(default_lm):
    """SmolLM2 writes " " then "1": the nine digit tokens right after the prompt carry almost no mass."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowNumberMassWarning)
        (tokens,) = digit_distribution(default_lm, ["with a population size of"], method="tokens")
    (exact,) = digit_distribution(default_lm, ["with a population size of"], method="exact")
    assert exact.number_mass > 100 * tokens.number_mass
    assert exact.unresolved_mass <= 1e-4
