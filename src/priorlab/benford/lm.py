"""The digits a causal language model expects: exact P(digit | prompt, a number follows).

What "a number follows" means. Let s be the text the model writes after the prompt; "ws" means spaces and
tabs and digits mean ASCII 0-9 (so a token holding part of a UTF-8 character is never either). A line break
ends the phrase: a number on the next line does not follow it. A number follows when s starts with

    ws* 0* [1-9]            an integer; leading zeros are skipped ("007" -> 7)
    ws* 0+ "." 0* [1-9]     a decimal below one ("0.05" -> 5)

and its first significant digit is that [1-9]. Anything else is not a number: a word, punctuation, the end of
the text, or a zero that no significant digit follows ("0 ", "0.", "0,5"). The second significant digit is the
character right after the first digit when that is a digit; inside the integer part one "," (thousands
separator) or "." (decimal point) may come between them ("1,234" -> 2, "1.5" -> 5). When anything else follows
the first digit the number has ended and its second digit is 0, as for the significand 7.000 of 7.

How it is computed. Every token's text is run through that grammar once per tokenizer, giving per state of the
grammar a lookup table over the vocabulary: the token fixes the answer (which digit), rules a number out, or
begins a number without fixing it (whitespace, "0", "0.", " 1" when the second digit is asked, ...). The
probabilities of fixing tokens are summed; each non-fixing continuation is expanded with a further forward
pass. All open continuations of all prompts in a batch go through ONE forward per step, reusing the prompts'
KV cache. The smallest continuations are dropped (their mass counted as unresolved) while the dropped mass
stays below `tol`; expansion stops at `max_depth` tokens, and at most `max_frontier` continuations of a prompt
are expanded per step (a memory guard; what it drops is unresolved too). Hence, for each prompt,
`number_mass + unresolved_mass + mass of non-numbers = 1` and `probabilities = digit masses / number_mass`.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch
from tqdm.auto import tqdm

if TYPE_CHECKING:
    from priorlab.benford.models import LanguageModel
    from priorlab.benford.stats import BenfordResult

logger = logging.getLogger(__name__)

POSITIONS = ("first", "second", "first-two")
METHODS = ("exact", "tokens")
LEADING_WHITESPACE = frozenset(" \t")
_STEP_SHARE = 0.5  # of its remaining pruning budget, what a prompt may spend in one expansion step


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


# --- the number grammar as a table over the vocabulary ---------------------------------------------------

_START, _ZERO_INT, _ZERO_FRAC = ("start",), ("zero-int",), ("zero-frac",)
_REJECT = ("reject",)


def _step(state: tuple, char: str, two_digits: bool) -> tuple:
    """One character of the grammar in the module docstring; returns a state, ("accept", label) or _REJECT."""
    kind = state[0]
    if kind in ("start", "zero-int", "zero-frac"):
        if kind == "start" and char in LEADING_WHITESPACE:
            return _START
        if char == "0":
            return _ZERO_FRAC if kind == "zero-frac" else _ZERO_INT
        if char == "." and kind == "zero-int":
            return _ZERO_FRAC
        if char in "123456789":
            if not two_digits:
                return ("accept", int(char))
            return ("frac" if kind == "zero-frac" else "int", int(char))
        return _REJECT
    first = state[1]
    if char in "0123456789":
        return ("accept", 10 * first + int(char))
    if kind == "int" and char in ",.":
        return ("comma" if char == "," else "point", first)
    return ("accept", 10 * first)


def _states(two_digits: bool) -> list[tuple]:
    states = [_START, _ZERO_INT, _ZERO_FRAC]
    if two_digits:
        states += [(kind, d) for d in range(1, 10) for kind in ("int", "frac", "comma", "point")]
    return states


@dataclass(frozen=True)
class DigitTable:
    """Per grammar state, what each vocabulary token does.

    `codes[s, t]` is a label index (< n_labels) when token t fixes the answer from state s, `n_labels` when it
    rules a number out, and `n_labels + 1 + s'` when it leads to the open state s'. `continuations[s]` lists the
    tokens leading to an open state, with those states. `labels` are the digits reported (1-9 or 10-99).
    """

    labels: np.ndarray
    codes: torch.Tensor
    continuations: tuple[tuple[torch.Tensor, torch.Tensor], ...]

    @property
    def n_labels(self) -> int:
        return len(self.labels)


def _char_class(char: str) -> str:
    if char in LEADING_WHITESPACE:
        return " "
    if char in "0123456789,.":
        return char
    return "x"


def _class_key(text: str) -> str:
    """The token's characters by class, cut after the first character that ends any number ("x")."""
    key = []
    for char in text:
        key.append(_char_class(char))
        if key[-1] == "x":
            break
    return "".join(key)


@functools.lru_cache(maxsize=8)
def _build_table(texts: tuple[str, ...], two_digits: bool) -> DigitTable:
    states = _states(two_digits)
    index = {state: i for i, state in enumerate(states)}
    labels = np.array(
        [10 * d + e for d in range(1, 10) for e in range(10)] if two_digits else list(range(1, 10))
    )
    label_index = {int(label): i for i, label in enumerate(labels)}
    n_labels = len(labels)
    keys = [_class_key(text) for text in texts]
    unique_keys = sorted(set(keys))
    key_codes = np.empty((len(states), len(unique_keys)), dtype=np.int64)
    for k, key in enumerate(unique_keys):
        for s, start in enumerate(states):
            state = start
            for char in key:
                state = _step(state, char, two_digits)
                if state[0] in ("accept", "reject"):
                    break
            if state[0] == "accept":
                key_codes[s, k] = label_index[state[1]]
            elif state[0] == "reject":
                key_codes[s, k] = n_labels
            else:
                key_codes[s, k] = n_labels + 1 + index[state]
    key_of_token = _key_indices(keys, unique_keys)
    codes = torch.from_numpy(key_codes[:, key_of_token])
    continuations = []
    for s in range(len(states)):
        tokens = torch.nonzero(codes[s] > n_labels).flatten()
        continuations.append((tokens, codes[s, tokens] - n_labels - 1))
    return DigitTable(labels=labels, codes=codes, continuations=tuple(continuations))


def _key_indices(keys: list[str], unique_keys: list[str]) -> np.ndarray:
    position = {key: i for i, key in enumerate(unique_keys)}
    return np.fromiter((position[key] for key in keys), dtype=np.int64, count=len(keys))


def digit_table(lm: LanguageModel, position: str = "first") -> DigitTable:
    """The grammar table of `lm`'s vocabulary for `position` ("second" shares the "first-two" table)."""
    _check_choice("position", position, POSITIONS)
    return _build_table(lm.token_texts, position != "first")


# --- model calls -----------------------------------------------------------------------------------------


@dataclass
class _PromptBatch:
    """Left-padded prompts: padding is masked out and positions count real tokens only."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    lengths: torch.Tensor

    @classmethod
    def of(cls, token_ids: Sequence[Sequence[int]]) -> _PromptBatch:
        lengths = torch.tensor([len(ids) for ids in token_ids])
        width = int(lengths.max())
        input_ids = torch.zeros((len(token_ids), width), dtype=torch.long)
        attention_mask = torch.zeros((len(token_ids), width), dtype=torch.long)
        for row, ids in enumerate(token_ids):
            input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, width - len(ids) :] = 1
        return cls(input_ids, attention_mask, lengths)

    @property
    def position_ids(self) -> torch.Tensor:
        return (self.attention_mask.cumsum(1) - 1).clamp(min=0)


def _next_token_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Softmax in at least float32 (float64 models keep float64, which the exactness tests rely on)."""
    return torch.softmax(logits[:, -1].to(torch.promote_types(logits.dtype, torch.float32)), dim=-1)


def _new_cache(model: torch.nn.Module) -> Any:
    """An empty KV cache that the forwards fill in place (so it is never read back from their outputs)."""
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # transformers < 4.56 takes no config
        return DynamicCache()


def _cache_keyword(model: torch.nn.Module) -> str:
    """transformers 5 renamed the forward's `past_key_values` to `cache`."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _prompt_forward(model: torch.nn.Module, batch: _PromptBatch, cache: Any = None) -> torch.Tensor:
    """One forward over the padded prompts: their next-token probabilities (`cache` is filled if given)."""
    out = model(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        use_cache=cache is not None,
        logits_to_keep=1,
        **({_cache_keyword(model): cache} if cache is not None else {}),
    )
    return _next_token_probabilities(out.logits)


def _prune(
    prompt_of: np.ndarray, mass: np.ndarray, allowance: np.ndarray, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which continuations to expand: per prompt, drop the smallest while their total mass stays within the
    prompt's allowance, and all but the `cap` largest (prompts never affect each other's results).

    Returns the keep mask and the mask of those dropped within the allowance.
    """
    order = np.lexsort((mass, prompt_of))
    sorted_prompt = prompt_of[order]
    new_group = np.r_[True, sorted_prompt[1:] != sorted_prompt[:-1]]
    group_of = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    ends = np.r_[starts[1:], len(mass)]
    cumulative = np.cumsum(mass[order])
    within = cumulative - np.r_[0.0, cumulative][starts][group_of]
    from_top = ends[group_of] - 1 - np.arange(len(mass))
    within_budget = np.zeros(len(mass), dtype=bool)
    within_budget[order[within <= allowance[sorted_prompt]]] = True
    keep = ~within_budget
    keep[order[from_top >= cap]] = False
    return keep, within_budget


def select_continuations(
    prompt_of: np.ndarray, mass: np.ndarray, pruned: np.ndarray, tol: float, max_frontier: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pruning rule: which open continuations (of prompt `prompt_of`, probability `mass`) to expand.

    A prompt may spend a share of its remaining budget `tol - pruned` per step, or all of it when that ends its
    expansion. Mass dropped by the `max_frontier` cap does not count against the budget (it is unresolved all
    the same). Returns the keep mask and, per prompt, the mass pruned within the budget and all mass dropped.
    """
    n_prompts = len(pruned)
    budget = np.maximum(tol - pruned, 0.0)
    open_mass = np.bincount(prompt_of, mass, minlength=n_prompts)
    allowance = np.where(open_mass <= budget, budget, budget * _STEP_SHARE)
    keep, within_budget = _prune(prompt_of, mass, allowance, max_frontier)
    newly_pruned = np.bincount(prompt_of[within_budget], mass[within_budget], minlength=n_prompts)
    dropped = np.bincount(prompt_of[~keep], mass[~keep], minlength=n_prompts)
    return keep, newly_pruned, dropped


def _exact_batch(
    model: torch.nn.Module,
    table: DigitTable,
    token_ids: Sequence[Sequence[int]],
    tol: float,
    max_depth: int,
    max_frontier: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Digit masses (prompts x labels) and unresolved masses of one batch of prompts."""
    n_prompts, n_labels = len(token_ids), table.n_labels
    batch = _PromptBatch.of(token_ids)
    cache = _new_cache(model)
    probabilities = _prompt_forward(model, batch, cache)
    prompt = torch.arange(n_prompts)
    state = torch.zeros(n_prompts, dtype=torch.long)
    mass = torch.ones(n_prompts, dtype=torch.float64)
    attention_mask = batch.attention_mask
    label_mass = torch.zeros((n_prompts, n_labels), dtype=torch.float64)
    unresolved = np.zeros(n_prompts)
    pruned = np.zeros(n_prompts)  # the part of `unresolved` dropped within the tol budget
    for depth in range(max_depth):
        rows, tokens, next_states, masses = [], [], [], []
        for s in torch.unique(state).tolist():
            selected = torch.nonzero(state == s).flatten()
            contribution = probabilities[selected].double() * mass[selected, None]
            codes = table.codes[s].clamp(max=n_labels).expand(len(selected), -1)
            per_code = torch.zeros((len(selected), n_labels + 1), dtype=torch.float64)
            per_code.scatter_add_(1, codes, contribution)
            label_mass.index_add_(0, prompt[selected], per_code[:, :n_labels])
            continuation_tokens, continuation_states = table.continuations[s]
            if len(continuation_tokens):
                rows.append(selected.repeat_interleave(len(continuation_tokens)))
                tokens.append(continuation_tokens.repeat(len(selected)))
                next_states.append(continuation_states.repeat(len(selected)))
                masses.append(contribution[:, continuation_tokens].flatten())
        if not rows:
            break
        row, candidate_mass = torch.cat(rows), torch.cat(masses)
        candidate_prompt = prompt[row].numpy()
        if depth == max_depth - 1:
            unresolved += np.bincount(candidate_prompt, candidate_mass.numpy(), minlength=n_prompts)
            break
        keep, newly_pruned, dropped = select_continuations(
            candidate_prompt, candidate_mass.numpy(), pruned, tol, max_frontier
        )
        pruned += newly_pruned
        unresolved += dropped
        if not keep.any():
            break
        keep_t = torch.from_numpy(keep)
        parent = row[keep_t]
        prompt, state, mass = prompt[parent], torch.cat(next_states)[keep_t], candidate_mass[keep_t]
        cache.reorder_cache(parent)
        attention_mask = torch.cat([attention_mask[parent], torch.ones((len(parent), 1), dtype=torch.long)], 1)
        out = model(
            input_ids=torch.cat(tokens)[keep_t, None],
            attention_mask=attention_mask,
            position_ids=(batch.lengths[prompt] + depth)[:, None],
            use_cache=True,
            **{_cache_keyword(model): cache},
        )
        probabilities = _next_token_probabilities(out.logits)
    return label_mass.numpy(), unresolved


def _single_digit_tokens(lm: LanguageModel) -> torch.Tensor:
    """The seed's nine tokens: " d" where that is one token (GPT-2), else "d" (digit-split tokenizers)."""
    ids = {text: token for token, text in reversed(list(enumerate(lm.token_texts)))}
    chosen = []
    for digit in range(1, 10):
        token = ids.get(f" {digit}", ids.get(str(digit)))
        if token is None:
            raise ValueError(f"method 'tokens': the tokenizer has no single token for the digit {digit}")
        chosen.append(token)
    return torch.tensor(chosen)


# --- the public entry point ------------------------------------------------------------------------------


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")


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


def check_distribution_options(
    position: str = "first",
    method: str = "exact",
    *,
    batch_size: int = 64,
    tol: float = 1e-4,
    max_depth: int = 16,
    max_frontier: int = 64,
) -> None:
    """Refuse bad `digit_distribution` options; callers run it before loading a model, which takes seconds."""
    _check_choice("position", position, POSITIONS)
    _check_choice("method", method, METHODS)
    if method == "tokens" and position != "first":
        raise ValueError(
            f"method 'tokens' reads single digit tokens and only supports position 'first', got {position!r}"
        )
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size: expected a positive integer, got {batch_size!r}")
    if not 0 <= tol < 1:
        raise ValueError(f"tol: expected 0 <= tol < 1, got {tol!r}")
    for name, value in (("max_depth", max_depth), ("max_frontier", max_frontier)):
        if not (isinstance(value, int) and value >= 1):
            raise ValueError(f"{name}: expected a positive integer, got {value!r}")


def _statistics(probabilities: np.ndarray, position: str) -> BenfordResult | None:
    if not np.all(np.isfinite(probabilities)):
        return None
    from priorlab.benford.stats import from_proportions

    return from_proportions(probabilities, position)


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

    `method="tokens"` is the seed's reading instead: the next-token softmax renormalised over nine digit tokens
    (first digit only). A prompt whose `number_mass` is below `min_number_mass` raises LowNumberMassWarning.
    `max_frontier` caps the continuations of one prompt expanded in one step (a memory guard, e.g. for
    `tol=0`); beyond it the smallest go to `unresolved_mass`, even past `tol`.
    """
    if not (hasattr(lm, "model") and hasattr(lm, "tokenizer")):
        raise TypeError(f"lm: expected a LanguageModel from load_lm(spec), got {type(lm).__name__}")
    check_distribution_options(
        position, method, batch_size=batch_size, tol=tol, max_depth=max_depth, max_frontier=max_frontier
    )
    texts = prompt_texts(prompts)
    token_ids = [lm.tokenizer.encode(text) for text in texts]
    for i, ids in enumerate(token_ids):
        if not ids:
            raise ValueError(f"prompts[{i}]: the prompt encodes to no tokens")
    table = digit_table(lm, position) if method == "exact" else None
    digit_tokens = _single_digit_tokens(lm) if method == "tokens" else None
    # Similar lengths share a batch, so little compute goes to padding.
    order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
    n_labels = 9 if table is None else table.n_labels
    masses = np.zeros((len(texts), n_labels))
    unresolved = np.full(len(texts), np.nan)
    with torch.inference_mode(), tqdm(total=len(texts), desc="prompts", unit="prompt", disable=not progress) as bar:
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            chunk_ids = [token_ids[i] for i in chunk]
            if table is None:
                probabilities = _prompt_forward(lm.model, _PromptBatch.of(chunk_ids))
                masses[chunk] = probabilities[:, digit_tokens].double().numpy()
            else:
                masses[chunk], unresolved[chunk] = _exact_batch(
                    lm.model, table, chunk_ids, tol, max_depth, max_frontier
                )
            bar.update(len(chunk))
    labels = np.arange(1, 10) if table is None else table.labels
    results = [
        _distribution(text, position, method, labels, masses[i], float(unresolved[i]), tol, i)
        for i, text in enumerate(texts)
    ]
    _warn_low_number_mass(results, min_number_mass)
    return results


def _warn_low_number_mass(results: Sequence[DigitDistribution], min_number_mass: float) -> None:
    for index, result in enumerate(results):
        if result.number_mass < min_number_mass:
            warnings.warn(
                f"prompts[{index}] ({result.prompt!r}): a number follows with probability "
                f"{result.number_mass:.3g} only, so its digit distribution rests on very little probability",
                LowNumberMassWarning,
                stacklevel=3,
            )


def digit_distribution_on_cluster(
    spec: str,
    prompts: str | PromptLike | Iterable[str | PromptLike],
    client: Any,
    *,
    cache_dir: str | None = None,
    shard_size: int | None = None,
    min_number_mass: float = 1e-3,
    progress: bool = False,
    **options: Any,
) -> list[DigitDistribution]:
    """`digit_distribution` with the prompts sharded over the workers of a Dask `client`.

    Each worker loads the model `spec` (see `models.load_lm`) once and keeps it for later shards; `options`
    are `digit_distribution`'s keyword arguments. Results come back in prompt order.
    """
    check_distribution_options(**options)
    texts = prompt_texts(prompts)
    if shard_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shard_size = -(-len(texts) // workers)
    if not (isinstance(shard_size, int) and shard_size >= 1):
        raise ValueError(f"shard_size: expected a positive integer, got {shard_size!r}")
    shards = [texts[i : i + shard_size] for i in range(0, len(texts), shard_size)]
    futures = client.map(
        _distribution_shard, shards, spec=spec, cache_dir=cache_dir, options=options, pure=False
    )
    from dask.distributed import as_completed

    shard_lengths = {future.key: len(shard) for future, shard in zip(futures, shards, strict=True)}
    with tqdm(total=len(texts), desc="prompts", unit="prompt", disable=not progress) as bar:
        for future in as_completed(futures):
            bar.update(shard_lengths[future.key])
    results = [result for part in client.gather(futures) for result in part]
    _warn_low_number_mass(results, min_number_mass)
    return results


_WORKER_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _cached_lm(spec: str, cache_dir: str | None) -> LanguageModel:
    from priorlab.benford.models import load_lm

    return load_lm(spec, cache_dir=cache_dir, progress=False)


def _worker_lm(spec: str, cache_dir: str | None) -> LanguageModel:
    """The model of `spec`, loaded once per worker process; the lock serialises loads of threaded workers
    (transformers patches torch globally while loading, so concurrent loads corrupt each other)."""
    with _WORKER_LOAD_LOCK:
        return _cached_lm(spec, cache_dir)


def _distribution_shard(
    texts: list[str], spec: str, cache_dir: str | None, options: dict[str, Any]
) -> list[DigitDistribution]:
    with warnings.catch_warnings():  # the client warns, once, for all shards
        warnings.simplefilter("ignore", LowNumberMassWarning)
        return digit_distribution(_worker_lm(spec, cache_dir), texts, **options)


def _distribution(
    prompt: str,
    position: str,
    method: str,
    labels: np.ndarray,
    label_mass: np.ndarray,
    unresolved_mass: float,
    tol: float,
    index: int,
) -> DigitDistribution:
    if position == "second":  # first-two masses, summed over the first digit
        label_mass = label_mass.reshape(9, 10).sum(axis=0)
        labels = np.arange(10)
    number_mass = float(label_mass.sum())
    probabilities = label_mass / number_mass if number_mass > 0 else np.full(len(labels), np.nan)
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
        digits=labels.copy(),
        probabilities=probabilities,
        number_mass=number_mass,
        unresolved_mass=unresolved_mass,
        result=_statistics(probabilities, position),
    )
