"""Per-member weighted losses and their gradient with respect to the network output.

A member's loss is `sum_i w_i * l_i / batch_size`: with multinomial bootstrap counts this equals the
plain mean loss on the resampled data, and with weights 1 it is the ordinary mean. The explicit
gradient lets the MLP fast path skip autograd; the generic path differentiates `member_losses`.

Three losses, named by `loss_name(task, likelihood)`:

- `"mse"`: squared error averaged over the C outputs.
- `"gaussian"`: the network's 2C outputs are C means and C raw variances; the variance is
  `softplus(raw) + VARIANCE_FLOOR` and `l_i` is the Gaussian negative log-likelihood averaged over the C
  targets, `0.5 * (log(2 pi var) + (y - mean)^2 / var)` (the constant included, so the loss is an NLL).
- `"cross_entropy"`: of the softmax of the C logits, labels (B,).
"""

from __future__ import annotations

import math

import torch

LOSSES = ("mse", "gaussian", "cross_entropy")
#: the smallest variance a Gaussian member can predict (in the units it is trained in: standardised units
#: with `standardize=True`); it keeps the likelihood bounded when a member fits a point exactly
VARIANCE_FLOOR = 1e-6
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def loss_name(task: str, likelihood: str) -> str:
    """The loss that trains members of `task` ("regression" | "classification") with `likelihood`."""
    if task == "classification":
        return "cross_entropy"
    return likelihood


def gaussian_variance(raw: torch.Tensor) -> torch.Tensor:
    """A Gaussian member's variance from its raw output: softplus(raw) + VARIANCE_FLOOR."""
    return torch.nn.functional.softplus(raw) + VARIANCE_FLOOR


def split_gaussian(out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(means, variances) from a Gaussian member output of 2C columns (the C means first)."""
    width = out.shape[-1] // 2
    return out[..., :width], gaussian_variance(out[..., width:])


def member_losses(out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, loss: str) -> torch.Tensor:
    """Loss of each member, shape (K,). out: (K, B, C) ((K, B, 2C) for "gaussian"); weights: (K, B, 1);
    y: (K, B, C), or labels (B,) shared by all members or (K, B) each member's own."""
    batch = out.shape[1]
    if loss == "mse":
        per_example = (out - y).square().mean(dim=2, keepdim=True)
    elif loss == "gaussian":
        mean, var = split_gaussian(out)
        per_example = (0.5 * (torch.log(var) + (mean - y).square() / var) + _HALF_LOG_2PI).mean(dim=2, keepdim=True)
    elif loss == "cross_entropy":
        per_example = -torch.log_softmax(out, dim=2).gather(2, _label_index(y, out.shape[0]))
    else:
        raise ValueError(f"loss: expected one of {', '.join(LOSSES)}; got {loss!r}")
    return (per_example * weights).sum(dim=(1, 2)) / batch


def _label_index(labels: torch.Tensor, n_members: int) -> torch.Tensor:
    """Labels (B,) shared by all members or (K, B) per member, as a (K, B, 1) index into the classes."""
    return labels.unsqueeze(-1) if labels.dim() == 2 else labels.view(1, -1, 1).expand(n_members, -1, 1)


def member_losses_and_grad(
    out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, loss: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """`member_losses` together with d(sum of member losses)/d(out), in as few tensor ops as we can."""
    batch, width = out.shape[1], out.shape[2]
    if loss == "mse":
        residual = out - y
        scaled = weights * (1.0 / (batch * width))
        weighted = residual * scaled
        losses = (weighted * residual).sum(dim=(1, 2))
        return losses, weighted.mul_(2.0)
    if loss == "gaussian":
        return _gaussian_losses_and_grad(out, y, weights)
    if loss != "cross_entropy":
        raise ValueError(f"loss: expected one of {', '.join(LOSSES)}; got {loss!r}")
    log_probs = torch.log_softmax(out, dim=2)
    labels = _label_index(y, out.shape[0])
    scaled = weights * (1.0 / batch)
    losses = -(log_probs.gather(2, labels) * scaled).sum(dim=(1, 2))
    grad = log_probs.exp_()
    grad.scatter_add_(2, labels, torch.full_like(scaled, -1.0))
    return losses, grad.mul_(scaled)


def _gaussian_losses_and_grad(out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor
                              ) -> tuple[torch.Tensor, torch.Tensor]:
    """With r = mean - y, v = softplus(raw) + floor and s = w / (B C): the loss is s * 0.5 (log v + r^2 / v)
    (+ the constant), d/d mean = s r / v and d/d raw = s * 0.5 (1 / v) (1 - r^2 / v) * sigmoid(raw)."""
    batch, width = out.shape[1], out.shape[2] // 2
    mean, raw = out[..., :width], out[..., width:]
    var = gaussian_variance(raw)
    inverse = var.reciprocal()
    residual = mean - y
    scaled_residual = residual * inverse  # r / v
    squared = scaled_residual * residual  # r^2 / v
    scaled = weights * (1.0 / (batch * width))
    losses = ((var.log_().add_(squared)).mul_(scaled).sum(dim=(1, 2)).mul_(0.5)
              + _HALF_LOG_2PI * scaled.sum(dim=(1, 2)) * width)
    grad = torch.empty_like(out)
    torch.mul(scaled_residual, scaled, out=grad[..., :width])
    torch.mul(torch.sigmoid(raw).mul_(inverse).mul_(1.0 - squared), 0.5 * scaled, out=grad[..., width:])
    return losses, grad
