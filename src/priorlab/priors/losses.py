"""Per-member weighted losses and their gradient with respect to the network output.

A member's loss is `sum_i w_i * l_i / batch_size`: with multinomial bootstrap counts this equals the
plain mean loss on the resampled data, and with weights 1 it is the ordinary mean. The explicit
gradient lets the MLP fast path skip autograd; the generic path differentiates `member_losses`.
"""

from __future__ import annotations

import torch


def member_losses(out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, task: str) -> torch.Tensor:
    """Loss of each member, shape (K,). out: (K, B, C); weights: (K, B, 1); y: (K, B, C) or labels (B,)."""
    batch = out.shape[1]
    if task == "regression":
        per_example = (out - y).square().mean(dim=2, keepdim=True)
    else:
        per_example = -torch.log_softmax(out, dim=2).gather(2, y.view(1, -1, 1).expand(out.shape[0], -1, 1))
    return (per_example * weights).sum(dim=(1, 2)) / batch


def member_losses_and_grad(
    out: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, task: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """`member_losses` together with d(sum of member losses)/d(out), in as few tensor ops as we can."""
    batch, width = out.shape[1], out.shape[2]
    if task == "regression":
        residual = out - y
        scaled = weights * (1.0 / (batch * width))
        weighted = residual * scaled
        losses = (weighted * residual).sum(dim=(1, 2))
        return losses, weighted.mul_(2.0)
    log_probs = torch.log_softmax(out, dim=2)
    labels = y.view(1, -1, 1).expand(out.shape[0], -1, 1)
    scaled = weights * (1.0 / batch)
    losses = -(log_probs.gather(2, labels) * scaled).sum(dim=(1, 2))
    grad = log_probs.exp_()
    grad.scatter_add_(2, labels, torch.full_like(scaled, -1.0))
    return losses, grad.mul_(scaled)
