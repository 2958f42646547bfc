"""The digits a causal language model expects: exact P(digit | prompt, a number follows).

`digit_distribution(lm, prompts, position)` reads the vocabulary through the number grammar (`grammar`: what
"a number follows" means), sums the probability of every continuation that fixes the digits and expands the
ones that do not (`expansion`). Per prompt, `number_mass + unresolved_mass + mass of non-numbers = 1` and
`probabilities = digit masses / number_mass`: the result is exact up to the reported `unresolved_mass`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch
from tqdm.auto import tqdm

from priorlab.benford import registry
from priorlab.benford.stats import BenfordResult, from_proportions
from priorlab.lm.expansion import CachedForward, PromptBatch, expand, prompt_forward
from priorlab.lm.grammar import POSITIONS, DigitTable, build_table, single_digit_tokens
from priorlab.validation import Choice, Integer, Number, Param, check_choice, check_params

if TYPE_CHECKING:
    from priorlab.lm.loading import LanguageModel

logger = logging.getLogger(__name__)

METHODS = ("exact", "tokens")
"""How the digits are read: "exact" marginalises every way of writing the number (this module's docstring);
"tokens" renormalises the next-token probabilities of the nine single-digit tokens (Perone 2019)."""


class LowNumberMassWarning(UserWarning):
    """A prompt is rarely followed by a number, so its digit distribution rests on little probability."""


class PromptLike(Protocol):
    text: str


@dataclass(frozen=True)
class DigitDistribution:
    """P(digit | prompt, a number follows) for one prompt, with the statistics against Benford's law.

    `digits` are the labels (1-9 for "first", 0-9 for "second", 10-99 for "first-two"); `probabilities` sum to
    one (NaN when no number follows at all). `number_mass` is P(a number follows); `unresolved_mass` is the
    probability left unclassified by pruning or the depth limit (NaN for method "tokens", which does not
    classify continuations: there `number_mass` is the total probability of the nine digit tokens).
    """

    prompt: str
    position: str
    method: str
    digits: np.ndarray
    probabilities: np.ndarray
    number_mass: float
    unresolved_mass: float
    result: BenfordResult | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: prompt, position, method, digits, probabilities, masses and the headline statistics."""

        def number(value: Any) -> float | None:
            return None if value is None or not math.isfinite(value) else float(value)

        result = self.result
        return {
            "prompt": self.prompt,
            "position": self.position,
            "method": self.method,
            "digits": [int(d) for d in self.digits],
            "probabilities": [number(p) for p in self.probabilities],
            "number_mass": number(self.number_mass),
            "unresolved_mass": number(self.unresolved_mass),
            "pearson_r": number(getattr(result, "pearson_r", None)),
            "mad": number(getattr(result, "mad", None)),
            "kl": number(getattr(result, "kl", None)),
            "conformity": getattr(result, "conformity", None),
        }


def digit_table(lm: LanguageModel, position: str = "first") -> DigitTable:
    """The grammar table of `lm`'s vocabulary for `position` ("second" reads the "first-two" table)."""
    check_choice(position, "position", POSITIONS)
    return build_table(lm.token_texts, registry.get(position).leading)


def prompt_texts(prompts: str | PromptLike | Iterable[str | PromptLike]) -> list[str]:
    """Plain prompt strings from strings or prompt records (anything with `.text`), checked non-empty."""
    if isinstance(prompts, str) or hasattr(prompts, "text"):
        prompts = [prompts]
    texts = [p if isinstance(p, str) else getattr(p, "text", p) for p in prompts]
    if not texts:
        raise ValueError("prompts: the list of prompts is empty")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"prompts[{i}]: expected a string, got {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"prompts[{i}]: the prompt is empty")
    return texts


DISTRIBUTION_OPTIONS = (
    Param("position", "first", Choice(POSITIONS), "which digits: first, second or first-two"),
    Param("method", "exact", Choice(METHODS), "exact marginalisation, or the nine digit tokens (Perone 2019)"),
    Param("batch_size", 64, Integer(1), "prompts per forward pass"),
    Param("tol", 1e-4, Number(0.0, maximum=1.0, maximum_strict=True), "largest probability left unresolved"),
    Param("max_depth", 16, Integer(1), "most tokens expanded after a prompt"),
    Param("min_number_mass", 1e-3, Number(0.0, maximum=1.0), "warn below this probability of a number"),
    Param("max_frontier", 64, Integer(1), "most continuations of one prompt expanded in one step"),
)
"""The options of `digit_distribution`, declared once: its signature's defaults are tested against this table."""


def check_distribution_options(**options: Any) -> dict[str, Any]:
    """`options` checked against `DISTRIBUTION_OPTIONS` (missing ones defaulted); callers run it before loading a
    model, which takes seconds."""
    checked = check_params(DISTRIBUTION_OPTIONS, options)
    if checked["method"] == "tokens" and checked["position"] != "first":
        raise ValueError(f"position: method 'tokens' reads the nine single-digit tokens and answers only 'first'; "
                         f"got {checked['position']!r}")
    return checked


def digit_distribution(
    lm: LanguageModel,
    prompts: str | PromptLike | Iterable[str | PromptLike],
    position: str = "first",
    method: str = "exact",
    *,
    batch_size: int = 64,
    tol: float = 1e-4,
    max_depth: int = 16,
    min_number_mass: float = 1e-3,
    max_frontier: int = 64,
    progress: bool = False,
) -> list[DigitDistribution]:
    """P(digit at `position` | prompt, a number follows) for each prompt, exactly (see the module docstring).

    Every way the model can write a number after the prompt (" 19", " 1", "9", " 0.5", ...) is followed
    until its digits are fixed, so the answer does not depend on how the tokenizer splits numbers.

    Parameters
    ----------
    lm : LanguageModel
        A causal language model with its tokenizer, as `load_lm` returns.
    prompts : str, prompt record, or iterable of them
        The text(s) after which a number may follow; a record is anything with a `.text` (such as
        `priorlab.lm.Prompt`). At least one, and no empty text.
    position : {"first", "second", "first-two"}, default "first"
        Which digits (`grammar.POSITIONS`): the first significant digit, the second, or the first two.
    method : {"exact", "tokens"}, default "exact"
        "exact" marginalises every continuation; "tokens" renormalises the next-token softmax over the
        nine single-digit tokens (Perone 2019), first digit only.
    batch_size : int, default 64
        Prompts per forward pass.
    tol : float in [0, 1), default 1e-4
        The most probability left unresolved per prompt: continuations whose mass is smaller are pruned.
    max_depth : int, default 16
        The most tokens expanded after a prompt.
    min_number_mass : float in [0, 1], default 1e-3
        Warn for a prompt after which a number follows with a smaller probability.
    max_frontier : int, default 64
        The most continuations of one prompt expanded in one step (a memory guard, e.g. for `tol=0`);
        beyond it the smallest go to `unresolved_mass`, even past `tol`.
    progress : bool, default False
        Show a progress bar over the prompts.

    Returns
    -------
    list of DigitDistribution
        One per prompt, in the order given: the digits, their probabilities given that a number follows,
        `number_mass`, `unresolved_mass` and the statistics against Benford's law (`result`).

    Raises
    ------
    TypeError
        If `lm` is not a language model with a tokenizer, or a prompt is not a string.
    ValueError
        If an option is out of range (the message names it), method "tokens" is asked for another
        position than "first", or the prompts are none, empty or encode to no tokens.

    Warns
    -----
    LowNumberMassWarning
        For each prompt whose `number_mass` is below `min_number_mass`.

    Examples
    --------
    Usually `lm = load_lm()`, the default model. Here a random one-layer GPT-2 on a tokenizer of single
    characters stands in, built in a fraction of a second (what is shown holds whatever its weights):

    >>> from tokenizers import Tokenizer, decoders, models
    >>> from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
    >>> from priorlab.lm import LanguageModel, digit_distribution
    >>> chars = ["<eos>", " ", ".", ",", *"0123456789", *"abcdefghijklmnopqrstuvwxyz"]
    >>> characters = Tokenizer(models.BPE({c: i for i, c in enumerate(chars)}, [], unk_token="<eos>"))
    >>> characters.decoder = decoders.Fuse()
    >>> config = GPT2Config(vocab_size=len(chars), n_positions=32, n_embd=16, n_layer=1, n_head=2,
    ...                     bos_token_id=0, eos_token_id=0)
    >>> lm = LanguageModel(GPT2LMHeadModel(config).eval(),
    ...                    PreTrainedTokenizerFast(tokenizer_object=characters, eos_token="<eos>"), "tiny", "tiny")
    >>> (river,) = digit_distribution(lm, "the river is")
    >>> river.digits
    array([1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> round(float(river.probabilities.sum()), 9), river.unresolved_mass <= 1e-4, river.result.test
    (1.0, True, 'first')
    >>> [d.digits.size for d in digit_distribution(lm, ["a", "b"], "first-two", tol=1e-2)]
    [90, 90]
    """
    if not (hasattr(lm, "model") and hasattr(lm, "tokenizer")):
        raise TypeError(f"lm: expected a LanguageModel from load_lm(spec), got {type(lm).__name__}")
    check_distribution_options(
        position=position,
        method=method,
        batch_size=batch_size,
        tol=tol,
        max_depth=max_depth,
        min_number_mass=min_number_mass,
        max_frontier=max_frontier,
    )
    texts = prompt_texts(prompts)
    token_ids = [lm.tokenizer.encode(text) for text in texts]
    for i, ids in enumerate(token_ids):
        if not ids:
            raise ValueError(f"prompts[{i}]: the prompt encodes to no tokens")
    table = digit_table(lm, position) if method == "exact" else None
    digit_tokens = torch.from_numpy(single_digit_tokens(lm.token_texts)) if table is None else None
    # Similar lengths share a batch, so little compute goes to padding.
    order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
    masses = np.zeros((len(texts), 9 if table is None else table.n_labels))
    unresolved = np.full(len(texts), np.nan)
    with torch.inference_mode(), tqdm(total=len(texts), desc="prompts", unit="prompt", disable=not progress) as bar:
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            chunk_ids = [token_ids[i] for i in chunk]
            if table is None:
                probabilities = prompt_forward(lm.model, PromptBatch.of(chunk_ids))
                masses[chunk] = probabilities[:, digit_tokens].double().numpy()
            else:
                forward = CachedForward(lm.model, chunk_ids)
                masses[chunk], unresolved[chunk] = expand(
                    forward, table, len(chunk), tol, max_depth, max_frontier
                )
            bar.update(len(chunk))
    spec = registry.get(position)
    digits = spec.expected()[0]
    results = [
        _distribution(text, position, method, digits, spec.fold(masses[i]), float(unresolved[i]), tol, i)
        for i, text in enumerate(texts)
    ]
    warn_low_number_mass(results, min_number_mass)
    return results


def warn_low_number_mass(results: Sequence[DigitDistribution], min_number_mass: float) -> None:
    """One LowNumberMassWarning per prompt whose `number_mass` is below `min_number_mass`."""
    for index, result in enumerate(results):
        if result.number_mass < min_number_mass:
            warnings.warn(
                f"prompts[{index}] ({result.prompt!r}): a number follows with probability "
                f"{result.number_mass:.3g} only, so its digit distribution rests on very little probability",
                LowNumberMassWarning,
                stacklevel=3,
            )


def _distribution(
    prompt: str,
    position: str,
    method: str,
    digits: np.ndarray,
    digit_mass: np.ndarray,
    unresolved_mass: float,
    tol: float,
    index: int,
) -> DigitDistribution:
    number_mass = float(digit_mass.sum())
    probabilities = digit_mass / number_mass if number_mass > 0 else np.full(len(digits), np.nan)
    if unresolved_mass > tol * (1 + 1e-9):
        logger.warning(
            "prompts[%d] (%r): %.3g of the probability is unresolved (max_depth or max_frontier reached)",
            index,
            prompt,
            unresolved_mass,
        )
    return DigitDistribution(
        prompt=prompt,
        position=position,
        method=method,
        digits=digits.copy(),
        probabilities=probabilities,
        number_mass=number_mass,
        unresolved_mass=unresolved_mass,
        result=from_proportions(probabilities, position) if np.all(np.isfinite(probabilities)) else None,
    )
