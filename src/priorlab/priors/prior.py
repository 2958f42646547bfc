"""A prior as a value: what an ensemble adds to each member, built, evaluated and saved through one interface.

Member k predicts `f_k(x) + prior_scale * p_k(x)` with p_k frozen (Osband et al., 2018). There are two kinds:

- `RandomNetworkPrior`: p_k is a randomly initialised network of its own for every member (drawn from the
  stream (seed, k, "prior")). Its randomness is what makes members disagree away from the data.
- `FixedPrior`: ONE fixed function shared by every member (sin(3x), zero, or a user's module or callable).
  It shifts every member alike: it moves the ensemble's mean but adds no spread.

`resolve_prior` turns the user-facing shorthand ("mlp", "sine", "none", a module, a callable) into one of
these, once. After `fit` the K priors are one frozen `PriorNetwork`: stacked networks for random priors,
a `SharedPrior` for a fixed one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import torch
from torch import nn
from torch.func import functional_call

from priorlab.priors.nets import SinPrior, ZeroPrior
from priorlab.priors.seeding import seeded
from priorlab.priors.stacked import StackedMLP, in_dtype, stack

Factory = Callable[[], nn.Module]


class PriorNetwork(Protocol):
    """The K frozen priors of a fitted ensemble."""

    n_members: int

    def forward(self, x: torch.Tensor) -> torch.Tensor: ...  # (n, d) or (K, n, d) -> (K, n, width), in x's dtype

    def member_module(self, k: int) -> nn.Module: ...

    def to(self, device: torch.device | str) -> PriorNetwork: ...


class FunctionModule(nn.Module):
    """A plain callable prior (e.g. `torch.cos`) as a module, so a member can be rebuilt as a `ModelWithPrior`."""

    def __init__(self, function: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.function = function

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.function(inputs)


class SharedPrior:
    """One fixed function as the prior of all K members: evaluated once, broadcast over the member axis."""

    def __init__(self, function: nn.Module, n_members: int):
        self.function, self.n_members = function, n_members

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # run in x's dtype without converting the user's module in place
        state = in_dtype({**dict(self.function.named_parameters()), **dict(self.function.named_buffers())}, x.dtype)
        rows = x.reshape(-1, x.shape[-1])  # (K, B, d): each member's own rows, evaluated as one batch
        out = functional_call(self.function, state, (rows,))
        if out.dim() == 0 or out.shape[0] != rows.shape[0]:
            raise ValueError(f"prior: returned shape {tuple(out.shape)} for inputs of shape {tuple(rows.shape)}; "
                             "expected one row per input row")
        out = out.reshape(rows.shape[0], -1).to(x.dtype)
        return out.view(*x.shape[:-1], -1) if x.dim() == 3 else out.unsqueeze(0).expand(self.n_members, -1, -1)

    def member_module(self, k: int) -> nn.Module:
        return self.function

    def to(self, device: torch.device | str) -> SharedPrior:
        self.function.to(device)
        return self


def prior_term(network: PriorNetwork, x: torch.Tensor, scale: float, n_outputs: int,
               network_width: int | None = None) -> torch.Tensor:
    """`scale * p_k(x)` for every member: (K, n, n_outputs), or (K, n, 1) added to every output.

    `network_width`: the trainable network's width when it differs from `n_outputs` (a Gaussian member's
    C means and C variances); a prior of that width (a copy of the network) contributes its first
    `n_outputs` columns, the means. A prior of any other width is refused: it would crash the fast path and
    silently broadcast elsewhere."""
    term = scale * network.forward(x)
    width = term.shape[-1]
    if network_width not in (None, n_outputs) and width == network_width:
        return term[..., :n_outputs]
    if width not in (1, n_outputs):
        raise ValueError(f"prior: the prior returns {width} columns but the network has {n_outputs} "
                         "output(s); it must return 1 column (added to every output) or one per output "
                         "(prior='sine' returns one per input feature)")
    return term


class Prior(ABC):
    """What an ensemble needs from a prior: member k's module as `fit` initialises it, the K of them as one
    frozen network, and how (whether) that network is saved."""

    #: the shorthand a configuration file records; None for a prior given as code
    name: str | None = None
    #: the tensors `tensors` writes and `restore` reads
    tensor_names: tuple[str, ...] = ()

    def config_name(self) -> str:
        if self.name is None:
            raise ValueError("prior: a prior given as code (an nn.Module, a callable or prior_factory) cannot be "
                             "saved; rebuild the ensemble in code, or use one of the named priors")
        return self.name

    @abstractmethod
    def member(self, torch_seed: int, new_base: Factory) -> nn.Module:
        """Member k's prior, given the torch seed of its stream and a factory of its base architecture."""

    @abstractmethod
    def stack(self, members: Sequence[nn.Module], fast: bool) -> PriorNetwork:
        """The members' priors as one network (`fast`: the base is the library's MLP)."""

    def build(self, torch_seeds: Sequence[int], new_base: Factory, mlp: tuple[list[int], str] | None
              ) -> PriorNetwork:
        """The priors of the members whose prior streams have these torch seeds, stacked as `member` builds them
        and `stack` stacks them. `mlp`: the base is the library's MLP, of these widths and activation."""
        return self.stack([self.member(seed, new_base) for seed in torch_seeds], fast=mlp is not None)

    def tensors(self, network: PriorNetwork) -> dict[str, torch.Tensor]:
        return {}

    @abstractmethod
    def restore(self, tensors: dict[str, torch.Tensor], widths: Sequence[int], n_members: int, activation: str
                ) -> PriorNetwork:
        """The network `stack` built, from the saved `tensors` and the base network's layer widths and activation."""


class RandomNetworkPrior(Prior):
    """A frozen, randomly initialised network per member: `factory()` or a copy of the base architecture."""

    tensor_names = ("prior.flat",)

    def __init__(self, factory: Factory | None = None):
        self.factory = factory
        self.name = "mlp" if factory is None else None

    def member(self, torch_seed: int, new_base: Factory) -> nn.Module:
        return seeded(self.factory or new_base, torch_seed)

    def stack(self, members: Sequence[nn.Module], fast: bool) -> PriorNetwork:
        return stack(members, fast and self.factory is None)

    def build(self, torch_seeds: Sequence[int], new_base: Factory, mlp: tuple[list[int], str] | None
              ) -> PriorNetwork:
        if mlp is None or self.factory is not None:
            return super().build(torch_seeds, new_base, mlp)
        return StackedMLP.initialised(mlp[0], torch_seeds, mlp[1])

    def tensors(self, network: StackedMLP) -> dict[str, torch.Tensor]:
        return {"prior.flat": network.flat.detach().cpu().contiguous()}

    def restore(self, tensors: dict[str, torch.Tensor], widths: Sequence[int], n_members: int, activation: str
                ) -> PriorNetwork:
        return StackedMLP.from_flat(tensors["prior.flat"], widths, n_members, activation)


class FixedPrior(Prior):
    """One fixed function shared by every member; nothing to save beyond its name (when it has one)."""

    def __init__(self, function: nn.Module, name: str | None = None):
        self.function, self.name = function, name

    def member(self, torch_seed: int, new_base: Factory) -> nn.Module:
        return self.function

    def stack(self, members: Sequence[nn.Module], fast: bool) -> PriorNetwork:
        return SharedPrior(self.function, len(members))

    def restore(self, tensors: dict[str, torch.Tensor], widths: Sequence[int], n_members: int, activation: str
                ) -> PriorNetwork:
        return SharedPrior(self.function, n_members)


def resolve_prior(prior: Any, prior_factory: Factory | None = None) -> Prior:
    """The user-facing `prior` (a name, an `nn.Module` or a callable, checked by `params.PriorSpec`) as a value."""
    if not isinstance(prior, str):
        return FixedPrior(prior if isinstance(prior, nn.Module) else FunctionModule(prior))
    if prior == "mlp":
        return RandomNetworkPrior(prior_factory)
    if prior == "sine":
        return FixedPrior(SinPrior(), "sine")
    if prior == "none":
        return FixedPrior(ZeroPrior(), "none")
    raise ValueError(f"prior: unknown prior {prior!r}")
