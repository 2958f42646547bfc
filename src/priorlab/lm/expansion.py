"""Expanding the continuations that begin a number without fixing its digits, for a batch of prompts at once.

The probabilities of the tokens that fix the answer (`grammar.DigitTable`) are summed; each continuation that
stays open is expanded with a further forward pass. All open continuations of all prompts in a batch go
through ONE forward per step, reusing the prompts' KV cache (`CachedForward`). The smallest continuations are
dropped (their mass counted as unresolved) while the dropped mass stays below `tol`; expansion stops at
`max_depth` tokens, and at most `max_frontier` continuations of a prompt are expanded per step (a memory
guard; what it drops is unresolved too). Hence, per prompt, digit masses + unresolved + non-numbers = 1.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

from priorlab.lm.grammar import DigitTable

STEP_SHARE = 0.5
"""Of its remaining pruning budget, the share a prompt may spend in one expansion step."""


@dataclass
class PromptBatch:
    """Left-padded token sequences: padding is masked out and positions count real tokens only."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    lengths: torch.Tensor

    @classmethod
    def of(cls, token_ids: Sequence[Sequence[int]]) -> PromptBatch:
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


def next_token_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Softmax of the last position in at least float32 (float64 models keep float64, which the exactness
    tests rely on)."""
    return torch.softmax(logits[:, -1].to(torch.promote_types(logits.dtype, torch.float32)), dim=-1)


@functools.cache
def _forward_keywords(model_type: type) -> tuple[str, str | None]:
    """The forward's name for the KV cache (transformers 5 renamed `past_key_values` to `cache`) and for
    keeping only the last position's logits (`logits_to_keep`, earlier `num_logits_to_keep`; None if neither)."""
    parameters = inspect.signature(model_type.forward).parameters
    cache = "cache" if "cache" in parameters else "past_key_values"
    keep = next((name for name in ("logits_to_keep", "num_logits_to_keep") if name in parameters), None)
    return cache, keep


def prompt_forward(model: torch.nn.Module, batch: PromptBatch, cache: Any = None) -> torch.Tensor:
    """One forward over padded sequences, computing logits at the last position only: the next-token
    probabilities of each row (`cache`, if given, is filled with the sequences' keys and values)."""
    cache_keyword, keep_keyword = _forward_keywords(type(model))
    options: dict[str, Any] = {keep_keyword: 1} if keep_keyword else {}
    if cache is not None:
        options[cache_keyword] = cache
    out = model(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        use_cache=cache is not None,
        **options,
    )
    return next_token_probabilities(out.logits)


def _new_cache(model: torch.nn.Module) -> Any:
    """An empty KV cache that the forwards fill in place (so it is never read back from their outputs)."""
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # transformers < 4.56 takes no config
        return DynamicCache()


class Forward(Protocol):
    """How the expansion asks the model for next-token probabilities, one row per open continuation."""

    def start(self) -> torch.Tensor:
        """Next-token probabilities after each prompt (prompts x vocabulary)."""

    def extend(self, parent: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Row i continues row `parent[i]` of the previous call with `tokens[i]`; its next-token probabilities."""


class CachedForward:
    """The prompts' keys and values are computed once; each step feeds only the newest token of every open
    continuation, after reordering the cache rows to follow their parents."""

    def __init__(self, model: torch.nn.Module, token_ids: Sequence[Sequence[int]]) -> None:
        self.model = model
        self.batch = PromptBatch.of(token_ids)
        self.cache = _new_cache(model)
        self.prompt = torch.arange(len(token_ids))
        self.attention_mask = self.batch.attention_mask
        self.depth = 0

    def start(self) -> torch.Tensor:
        return prompt_forward(self.model, self.batch, self.cache)

    def extend(self, parent: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        self.cache.reorder_cache(parent)
        self.prompt = self.prompt[parent]
        ones = torch.ones((len(parent), 1), dtype=torch.long)
        self.attention_mask = torch.cat([self.attention_mask[parent], ones], 1)
        out = self.model(
            input_ids=tokens[:, None],
            attention_mask=self.attention_mask,
            position_ids=(self.batch.lengths[self.prompt] + self.depth)[:, None],
            use_cache=True,
            **{_forward_keywords(type(self.model))[0]: self.cache},
        )
        self.depth += 1
        return next_token_probabilities(out.logits)


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
    allowance = np.where(open_mass <= budget, budget, budget * STEP_SHARE)
    keep, within_budget = _prune(prompt_of, mass, allowance, max_frontier)
    newly_pruned = np.bincount(prompt_of[within_budget], mass[within_budget], minlength=n_prompts)
    dropped = np.bincount(prompt_of[~keep], mass[~keep], minlength=n_prompts)
    return keep, newly_pruned, dropped


def expand(
    forward: Forward, table: DigitTable, n_prompts: int, tol: float, max_depth: int, max_frontier: int
) -> tuple[np.ndarray, np.ndarray]:
    """Digit masses (prompts x `table.labels`) and unresolved masses of a batch of prompts."""
    n_labels = table.n_labels
    codes = torch.from_numpy(table.codes)
    continuations = [(torch.from_numpy(t), torch.from_numpy(s)) for t, s in table.continuations]
    probabilities = forward.start()
    prompt = torch.arange(n_prompts)
    state = torch.zeros(n_prompts, dtype=torch.long)
    mass = torch.ones(n_prompts, dtype=torch.float64)
    label_mass = torch.zeros((n_prompts, n_labels), dtype=torch.float64)
    unresolved = np.zeros(n_prompts)
    pruned = np.zeros(n_prompts)  # the part of `unresolved` dropped within the tol budget
    for depth in range(max_depth):
        rows, tokens, next_states, masses = [], [], [], []
        for s in torch.unique(state).tolist():
            selected = torch.nonzero(state == s).flatten()
            contribution = probabilities[selected].double() * mass[selected, None]
            outcome = codes[s].clamp(max=n_labels).expand(len(selected), -1)
            per_outcome = torch.zeros((len(selected), n_labels + 1), dtype=torch.float64)
            per_outcome.scatter_add_(1, outcome, contribution)
            label_mass.index_add_(0, prompt[selected], per_outcome[:, :n_labels])
            continuation_tokens, continuation_states = continuations[s]
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
        probabilities = forward.extend(parent, torch.cat(tokens)[keep_t])
    return label_mass.numpy(), unresolved
