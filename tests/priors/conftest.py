"""Run the ensemble tests on one torch thread: the networks here are tiny, and on a busy 2-core machine
(CI runs `pytest -n 2`) a second intra-op thread only adds spin-waiting. Module scope, so that it is
in place before the modules' own fixtures train anything; restored after each module."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
