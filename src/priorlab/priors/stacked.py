"""K networks evaluated and differentiated at once, parameters on a leading member axis.

Two implementations share one small interface (`parameters`, `forward`, `losses_and_grad`,
`member_module`):

- `StackedMLP`, the fast path for the SELU `MLP` of `nets.py`: all members' weights live in ONE (K, P) tensor whose
  views are the (K, in, out) weight matrices, the forward pass is a chain of `baddbmm`s and the
  backward pass is written out by hand (no autograd graph), so one training step is ~20 tensor ops
  whatever K is, and Adam updates a single tensor.
- `StackedModules`, the generic path for any `nn.Module` factory: `torch.func.stack_module_state`
  + `functional_call` + `vmap`, differentiated by autograd.

Both train in the parameters' dtype (float32) and evaluate `forward` in the dtype of its input: predictions
run in float64, so that a row's prediction does not depend on which other rows share its batch.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Sequence
from typing import Protocol

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from priorlab.priors.losses import member_losses, member_losses_and_grad
from priorlab.priors.nets import ACTIVATIONS, MLP

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class StackedNetwork(Protocol):
    """What the fit loop (`training.train`) and `Ensemble` need from K stacked networks."""

    n_members: int

    def parameters(self) -> list[torch.Tensor]: ...

    def forward(self, x: torch.Tensor) -> torch.Tensor: ...

    def losses_and_grad(self, x: torch.Tensor, offset: torch.Tensor, y: torch.Tensor, weights: torch.Tensor,
                        loss: str) -> torch.Tensor: ...

    def member_module(self, k: int) -> nn.Module: ...


def in_dtype(tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Floating-point tensors converted to `dtype` (copies only where the dtype differs), others as they are."""
    return {name: t.to(dtype) if t.is_floating_point() else t for name, t in tensors.items()}


def _broadcast_members(x: torch.Tensor, n_members: int) -> torch.Tensor:
    """(n, d) inputs shared by all members -> a (K, n, d) view; (K, n, d) passes through."""
    return x if x.dim() == 3 else x.unsqueeze(0).expand(n_members, -1, -1)


def _bmm(a: torch.Tensor, b: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """Batched matmul; a product with a unit inner or outer dimension (the 1-input and 1-output layers of
    the usual regression MLP) is a broadcast multiply, several times faster than MKL's batched gemm."""
    if a.shape[-1] == 1:
        return torch.mul(a, b, out=out)
    if b.shape[-1] == 1:
        return torch.sum(a * b.transpose(1, 2), dim=-1, keepdim=True, out=out)
    return torch.bmm(a, b, out=out)


def _sparse_affine(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """(n, d) sparse COO inputs shared by all members: each stored entry adds its weight row, so the layer
    costs the stored entries, not n x d (one-hot states, bag-of-words counts)."""
    rows, cols = x.indices()
    out = bias.expand(weight.shape[0], x.shape[0], weight.shape[2]).clone()
    return out.index_add_(1, rows, weight[:, cols, :] * x.values().unsqueeze(1))


def _sparse_weight_grad(x: torch.Tensor, grad: torch.Tensor, out: torch.Tensor) -> None:
    """x^T grad for sparse COO x (n, d) and grad (K, n, out), written into out (K, d, out)."""
    rows, cols = x.indices()
    out.zero_().index_add_(1, cols, grad[:, rows, :] * x.values().unsqueeze(1))


def _affine(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    if h.is_sparse:
        return _sparse_affine(h, weight, bias)
    if h.shape[-1] == 1:  # one input: the product is a broadcast multiply, fused with the bias
        return torch.addcmul(bias, h, weight)
    if weight.shape[-1] == 1:
        return _bmm(h, weight).add_(bias)
    return torch.baddbmm(bias, h, weight)


class StackedMLP:
    """K `MLP`s (SELU or ReLU activations) as one flat parameter tensor and a hand-written backward pass.

    The flat 1-D buffer holds, layer after layer, the weights and (K, 1, out) biases of all members, each
    block contiguous so matmuls write gradients straight into `flat.grad`. A weight block is stored
    (K, in, out), or (K, out, in) for a layer that narrows a hidden layer (`_stored_transposed`): MKL's batched
    matmul is 3-4x slower when its right operand is a row-major matrix with a few columns (a 50 -> 2
    Gaussian output layer: 78 us forward and backward at K=10 and 100 rows, 28 us stored transposed). The
    `weights` views are (K, in, out) either way.
    """

    def __init__(self, members: Sequence[MLP]):
        if not members:
            raise ValueError("members: need at least one MLP")
        layers = [list(m.layers) for m in members]
        activations = {m.activation for m in members}
        if len(activations) != 1:
            raise ValueError(f"members: one activation for all members, got {sorted(activations)}")
        widths = [layers[0][0].in_features] + [layer.out_features for layer in layers[0]]
        weights = [torch.stack([ls[depth].weight.detach() for ls in layers]) for depth in range(len(widths) - 1)]
        biases = [torch.stack([ls[depth].bias.detach() for ls in layers]) for depth in range(len(widths) - 1)]
        self._setup(_flat_buffer(weights, biases, widths), widths, len(members), activations.pop())

    @classmethod
    def initialised(cls, widths: Sequence[int], torch_seeds: Sequence[int], activation: str = "selu") -> StackedMLP:
        """K freshly initialised `MLP`s of layer widths [in, hidden..., out], member k exactly as
        `seeding.seeded(lambda: MLP(...), torch_seeds[k])` builds it, drawn straight into the stacked tensors: the
        same draws in the same order from a generator in the same state (nn.Linear's initialisation layer by
        layer, then the Glorot-uniform weights), without K modules, whose construction dominated short fits."""
        widths = [int(w) for w in widths]
        layers = list(itertools.pairwise(widths))
        weights = [torch.empty(len(torch_seeds), b, a) for a, b in layers]  # nn.Linear's (out, in) layout
        biases = [torch.empty(len(torch_seeds), 1, b) for _, b in layers]
        generator = torch.Generator()
        for k, seed in enumerate(torch_seeds):
            generator.manual_seed(seed)
            for weight, bias in zip(weights, biases, strict=True):  # nn.Linear.reset_parameters
                nn.init.kaiming_uniform_(weight[k], a=math.sqrt(5), generator=generator)
                bound = 1 / math.sqrt(weight.shape[2])
                nn.init.uniform_(bias[k], -bound, bound, generator=generator)
            for weight in weights:
                nn.init.xavier_uniform_(weight[k], generator=generator)
        self = cls.__new__(cls)
        self._setup(_flat_buffer(weights, biases, widths), widths, len(torch_seeds), activation)
        return self

    @classmethod
    def from_flat(cls, flat: torch.Tensor, widths: Sequence[int], n_members: int, activation: str = "selu"
                  ) -> StackedMLP:
        """Rebuild from a saved flat buffer, the layer widths [in, hidden..., out], K and the activation."""
        widths = [int(w) for w in widths]
        expected = n_members * sum(a * b + b for a, b in itertools.pairwise(widths))
        if flat.dim() != 1 or flat.numel() != expected:
            raise ValueError(f"flat: expected {expected} values for {n_members} members of widths {widths}, "
                             f"got shape {tuple(flat.shape)}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}; got {activation!r}")
        self = cls.__new__(cls)
        self._setup(flat.detach().clone(), widths, n_members, activation)
        return self

    def _setup(self, flat: torch.Tensor, widths: list[int], n_members: int, activation: str) -> None:
        self.widths, self.n_members, self.activation = widths, n_members, activation
        self.flat = flat.contiguous()
        self.flat.grad = torch.zeros_like(self.flat)
        self._bind()

    def _bind(self) -> None:
        """Views (K, in, out) weights and (K, 1, out) biases into the value and gradient buffers."""
        self.weights, self.biases = self._views(self.flat)
        self.weight_grads, self.bias_grads = self._views(self.flat.grad)

    def _views(self, buffer: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """The per-layer (K, in, out) weight and (K, 1, out) bias views of a flat buffer of this layout."""
        weights, biases, offset, k = [], [], 0, self.n_members
        for depth, (a, b) in enumerate(itertools.pairwise(self.widths)):
            block = buffer[offset:offset + a * b * k]
            weights.append(block.view(k, b, a).transpose(1, 2) if _stored_transposed(self.widths, depth)
                           else block.view(k, a, b))
            offset += a * b * k
            biases.append(buffer[offset:offset + b * k].view(k, 1, b))
            offset += b * k
        return weights, biases

    def to(self, device: torch.device | str) -> StackedMLP:
        flat = self.flat.to(device)
        if flat is not self.flat:
            self._setup(flat, self.widths, self.n_members, self.activation)
        return self

    def parameters(self) -> list[torch.Tensor]:
        return [self.flat]

    def _activations(self, x: torch.Tensor, weights: list[torch.Tensor], biases: list[torch.Tensor]
                     ) -> list[torch.Tensor]:
        hidden = [x.coalesce() if x.is_sparse else _broadcast_members(x, self.n_members)]
        activate = torch.selu_ if self.activation == "selu" else torch.relu_
        for weight, bias in zip(weights[:-1], biases[:-1], strict=True):
            hidden.append(activate(_affine(hidden[-1], weight, bias)))
        return hidden

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs (K, n, out) in x's dtype for inputs (n, d) shared by all members, dense or sparse COO, or
        (K, n, d)."""
        weights, biases = (self.weights, self.biases) if x.dtype == self.flat.dtype else self._views(
            self.flat.to(x.dtype))
        return _affine(self._activations(x, weights, biases)[-1], weights[-1], biases[-1])

    @torch.no_grad()
    def losses_and_grad(
        self, x: torch.Tensor, offset: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, loss: str
    ) -> torch.Tensor:
        """Per-member losses (`losses.LOSSES`) of `forward(x) + offset`; their gradient is written into `flat.grad`."""
        hidden = self._activations(x, self.weights, self.biases)
        out = _affine(hidden[-1], self.weights[-1], self.biases[-1]).add_(offset)
        losses, grad = member_losses_and_grad(out, y, weights, loss)
        for layer in range(len(self.weights) - 1, -1, -1):
            torch.sum(grad, dim=1, keepdim=True, out=self.bias_grads[layer])
            weight_grad = self.weight_grads[layer]
            if hidden[layer].is_sparse:
                _sparse_weight_grad(hidden[layer], grad, weight_grad)
            elif _stored_transposed(self.widths, layer):  # out x in = grad^T hidden, into the stored block
                _bmm(grad.transpose(1, 2), hidden[layer], out=weight_grad.transpose(1, 2))
            else:
                _bmm(hidden[layer].transpose(1, 2), grad, out=weight_grad)
            if layer:
                grad = _bmm(grad, self.weights[layer].transpose(1, 2))
                grad = self._activation_backward(grad, hidden[layer])
        return losses

    def _activation_backward(self, grad: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The gradient through the activation, from its output h (> 0 exactly where its input is)."""
        if self.activation == "relu":
            return torch.ops.aten.threshold_backward(grad, h, 0.0)
        # SELU's derivative: scale where h > 0, h + scale * alpha elsewhere
        return torch.ops.aten.elu_backward(grad, SELU_ALPHA, SELU_SCALE, 1.0, True, h)

    def member_module(self, k: int) -> MLP:
        """Member k as a standalone `MLP` with a copy of its current weights."""
        with torch.random.fork_rng(devices=[]):  # the throwaway initialisation must not move torch's RNG
            mlp = MLP(self.widths[0], self.widths[1:-1], self.widths[-1], self.activation).to(self.flat.device)
        with torch.no_grad():
            for layer, weight, bias in zip(mlp.layers, self.weights, self.biases, strict=True):
                layer.weight.copy_(weight[k].T)
                layer.bias.copy_(bias[k, 0])
        return mlp


def _stored_transposed(widths: Sequence[int], depth: int) -> bool:
    """Whether layer `depth`'s weights are stored (K, out, in): a layer after the first (its input is dense)
    with fewer outputs than inputs."""
    return depth > 0 and widths[depth + 1] < widths[depth]


def _flat_buffer(weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor], widths: Sequence[int]
                 ) -> torch.Tensor:
    """The flat buffer of the members' (K, out, in) weights (nn.Linear's layout) and (K, out) or (K, 1, out)
    biases, layer after layer, each weight block stored as `StackedMLP` reads it."""
    blocks = []
    for depth, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
        stored = weight if _stored_transposed(widths, depth) else weight.transpose(1, 2)
        blocks += [stored.reshape(-1), bias.reshape(-1)]
    return torch.cat(blocks)


class StackedModules:
    """K copies of any `nn.Module` architecture, vectorised with `torch.func` and trained by autograd."""

    def __init__(self, members: Sequence[nn.Module]):
        if not members:
            raise ValueError("members: need at least one module")
        self.n_members = len(members)
        params, buffers = stack_module_state(list(members))
        self.params = {name: p.detach().requires_grad_(True) for name, p in params.items()}
        self.buffers = buffers
        self._template = copy.deepcopy(members[0])
        self._skeleton = copy.deepcopy(members[0]).to("meta")

    def to(self, device: torch.device | str) -> StackedModules:
        self.params = {n: p.detach().to(device).requires_grad_(True) for n, p in self.params.items()}
        self.buffers = {n: b.to(device) for n, b in self.buffers.items()}
        self._template = self._template.to(device)
        return self

    def parameters(self) -> list[torch.Tensor]:
        return list(self.params.values())

    def _call(self, x: torch.Tensor, params: dict[str, torch.Tensor], buffers: dict[str, torch.Tensor]
              ) -> torch.Tensor:
        def one(params, buffers, inputs):
            return functional_call(self._skeleton, (params, buffers), (inputs,))

        in_dims = (0, 0, 0 if x.dim() == 3 else None)
        out = vmap(one, in_dims=in_dims)(params, buffers, x)
        return out.unsqueeze(-1) if out.dim() == 2 else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs (K, n, out) in x's dtype."""
        with torch.no_grad():
            return self._call(x, in_dtype(self.params, x.dtype), in_dtype(self.buffers, x.dtype))

    def losses_and_grad(
        self, x: torch.Tensor, offset: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, loss: str
    ) -> torch.Tensor:
        for p in self.params.values():
            p.grad = None
        with torch.enable_grad():
            losses = member_losses(self._call(x, self.params, self.buffers) + offset, y, weights, loss)
            losses.sum().backward()
        return losses.detach()

    def member_module(self, k: int) -> nn.Module:
        module = copy.deepcopy(self._template)
        state = {name: t[k].detach().clone() for name, t in {**self.params, **self.buffers}.items()}
        module.load_state_dict(state)
        return module


def stack(members: Sequence[nn.Module], fast: bool) -> StackedNetwork:
    """K modules as one stacked network: the hand-differentiated path for the library's own MLPs (`fast`),
    torch.func for any other architecture."""
    return StackedMLP(members) if fast else StackedModules(members)
