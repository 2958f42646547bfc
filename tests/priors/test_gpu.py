"""The stacked path on a CUDA device against the same fit on the CPU (the oracle). Skipped without CUDA; the
refusal of a CUDA device that is not there runs everywhere else."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from priorlab.priors import Ensemble, osband_1d
from priorlab.priors.bootstrap import bootstrap_weights, resampled_rows
from priorlab.priors.seeding import member_keys

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_cuda_device_without_cuda_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^device: cuda asked for, but this torch .* sees no CUDA device$"):
        Ensemble(device="cuda")


@cuda
@pytest.mark.parametrize("scheme", ["multinomial", "poisson", "bernoulli", "exponential"])
def test_counter_based_draws_are_the_same_on_the_gpu(scheme):
    keys = member_keys(3, range(5), "bootstrap")
    np.testing.assert_array_equal(bootstrap_weights(scheme, 1000, keys.cuda()).cpu(),
                                  bootstrap_weights(scheme, 1000, keys))
    positions = torch.randperm(1000)
    assert torch.equal(resampled_rows(keys.cuda(), positions.cuda(), 1000).cpu(), resampled_rows(keys, positions, 1000))


@cuda
@pytest.mark.parametrize("options", [dict(), dict(batch_size=6, noise_std=0.2),
                                     dict(likelihood="gaussian", batch_size=5, bootstrap="poisson")])
def test_a_fit_on_the_gpu_equals_the_fit_on_the_cpu(options):
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 25)
    fits = {device: Ensemble(n_members=6, epochs=60, seed=4, device=device, **options).fit(x, y, progress=False)
            for device in ("cpu", "cuda")}
    np.testing.assert_allclose(fits["cuda"].predict(grid).samples, fits["cpu"].predict(grid).samples, atol=1e-4)
    np.testing.assert_allclose(fits["cuda"].history_, fits["cpu"].history_, rtol=1e-4, atol=1e-5)
