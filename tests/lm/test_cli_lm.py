"""`priorlab lm-digits`: output formats, prompts files, plots, errors, and Dask sharding, on a tiny model."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import torch

from priorlab.cli import main
from priorlab.lm.api import LowNumberMassWarning, digit_distribution
from priorlab.lm.loading import load_lm

try:
    from . import tiny_lm
except ImportError:
    import tiny_lm

os.environ.setdefault("HF_HUB_OFFLINE", "1")
FAST = ["--tol", "0.01", "--quiet"]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return str(tiny_lm.save_tiny_lm(tmp_path_factory.mktemp("cli-model"), digit_split=True))


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, " ".join(captured.err.split())  # rich wraps long lines


def run_ok(argv, capsys):
    try:
        main(argv)
    except SystemExit as exc:  # typer may exit 0 explicitly
        assert exc.code in (0, None), capsys.readouterr().err
    return capsys.readouterr()


def test_json_masses_lie_within_the_brute_force_bounds(tiny_dir, capsys):
    """Enumerating every continuation of up to 3 tokens decides part of the mass exactly: each digit's mass is
    at least that (less what --tol may leave unresolved) and at most that plus all the undecided mass."""
    prompts = ["with a population size of", "The year was"]
    out = run_ok(["lm-digits", *prompts, "--model", tiny_dir, "--json", *FAST], capsys).out
    records = json.loads(out)
    assert [r["prompt"] for r in records] == prompts
    lm = load_lm(tiny_dir, dtype=torch.float64)
    for record in records:
        assert {"digits", "probabilities", "number_mass", "unresolved_mass", "pearson_r", "mad"} <= set(record)
        assert record["digits"] == list(range(1, 10)) and 0 <= record["unresolved_mass"] <= 0.01
        decided, undecided = tiny_lm.brute_force(lm, record["prompt"], "first", depth=3)
        masses = np.array(record["probabilities"]) * record["number_mass"]
        lower = np.array([decided.get(d, 0.0) for d in range(1, 10)])
        assert np.all(masses >= lower - record["unresolved_mass"] - 1e-6)
        assert np.all(masses <= lower + undecided + 1e-6)
        lost = record["unresolved_mass"] + 1e-6
        assert lower.sum() - lost <= record["number_mass"] <= lower.sum() + undecided + 1e-6


def test_prompts_file_table_and_plot(tiny_dir, tmp_path, capsys):
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("# two prompts\nThe lake covers\nThe river is\n", encoding="utf-8")
    plot = tmp_path / "digits.png"
    argv = ["lm-digits", "A price of $", "--prompts-file", str(prompts_file), "--model", tiny_dir]
    out = run_ok([*argv, "--position", "second", "--plot", str(plot), *FAST], capsys).out
    for prompt in ("A price of $", "The lake covers", "The river is"):
        assert prompt in out
    assert "d = 0..9" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_tokens_method_on_the_command_line_is_one_plain_forward(tiny_dir, capsys):
    """Perone (2019): the next-token softmax of one forward, renormalised over the nine digit tokens."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = run_ok(["lm-digits", "In", "--model", tiny_dir, "--method", "tokens", "--json", "--quiet"], capsys).out
    (record,) = json.loads(out)
    assert record["method"] == "tokens" and record["unresolved_mass"] is None
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([tokenizer.encode("In")])).logits[0, -1]
    p = torch.softmax(logits.double(), -1)[tiny_lm.nine_digit_token_ids(tokenizer)].numpy()
    np.testing.assert_allclose(record["probabilities"], p / p.sum(), rtol=1e-5)
    assert record["number_mass"] == pytest.approx(p.sum(), rel=1e-5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "no-such/model"], "huggingface-cli download"),
        (["--model", "what is this?"], "unknown spec"),
        (["--position", "third"], "position"),
        (["--method", "guess"], "method"),
        (["--batch-size", "0"], "batch_size"),
        (["--prompts-file", "/no/such/prompts.txt"], "prompts.txt"),
        (["--plot", "/no/such/dir/plot.png"], "--plot"),
    ],
)
def test_bad_input_exits_2_with_one_line(tiny_dir, capsys, extra, message):
    argv = ["lm-digits", "The year was", "--model", tiny_dir, *extra, *FAST]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--position", "third"], "position"),
        (["--method", "guess"], "method"),
        (["--method", "tokens", "--position", "second"], "position: method 'tokens'"),
        (["--batch-size", "0"], "batch_size"),
        (["--tol", "1.5"], "tol"),
        (["--plot", "grid.tmp"], "--plot"),
    ],
)
def test_bad_options_are_refused_before_the_model_loads(monkeypatch, capsys, extra, message):
    """A model spec that cannot load shows that the options were checked first."""
    from priorlab import distributed

    def no_cluster(*args, **kwargs):
        raise AssertionError("connected to a cluster before checking the options")

    monkeypatch.setattr(distributed, "dask_client", no_cluster)
    for where in ([], ["--scheduler", "tcp://127.0.0.1:9"]):
        argv = ["lm-digits", "The year was", "--model", "priorlab-tests/no-such-model", *extra, *where, "--quiet"]
        code, _, err = run(argv, capsys)
        assert code == 2 and message in err and "huggingface-cli" not in err


def test_cluster_options_are_refused_before_any_worker_is_asked():
    from priorlab.lm.cluster import digit_distribution_on_cluster

    class NoClient:
        def __getattr__(self, name):
            raise AssertionError(f"client.{name} used before checking the options")

    with pytest.raises(ValueError, match="tol"):
        digit_distribution_on_cluster("priorlab-tests/no-such-model", ["In"], NoClient(), tol=2.0)
    with pytest.raises(TypeError, match="colour"):
        digit_distribution_on_cluster("priorlab-tests/no-such-model", ["In"], NoClient(), colour="red")


def test_empty_prompts_exit_2(tiny_dir, tmp_path, capsys):
    code, _, err = run(["lm-digits", "  ", "--model", tiny_dir, *FAST], capsys)
    assert code == 2 and "prompts[0]" in err and "empty" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# nothing here\n", encoding="utf-8")
    code, _, err = run(["lm-digits", "--prompts-file", str(empty), "--model", tiny_dir, *FAST], capsys)
    assert code == 2 and "no prompts" in err


def test_scheduler_shards_prompts_over_dask_workers(tiny_dir, capsys):
    distributed = pytest.importorskip("dask.distributed")
    from priorlab.lm import cluster as lm_cluster

    prompts = ["with a population size of", "The year was", "In", "A price of $", "The lake covers"]
    lm_cluster._cached_lm.cache_clear()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        out = run_ok(
            ["lm-digits", *prompts, "--model", tiny_dir, "--json", "--scheduler", cluster.scheduler_address, *FAST],
            capsys,
        ).out
    records = json.loads(out)
    loads = lm_cluster._cached_lm.cache_info()
    assert (loads.misses, loads.hits) == (1, 1)  # two shards, two threaded workers, one process: one load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowNumberMassWarning)
        local = digit_distribution(load_lm(tiny_dir), prompts, tol=0.01)
    assert [r["prompt"] for r in records] == prompts
    for record, result in zip(records, local, strict=True):
        np.testing.assert_allclose(record["probabilities"], result.probabilities, rtol=1e-6)


def test_plot_grid_has_one_panel_per_prompt_with_the_probabilities(tiny_dir):
    from priorlab.benford.plots import plot_lm_digits

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowNumberMassWarning)
        results = digit_distribution(load_lm(tiny_dir), ["In", "The year was", "A price of $"], tol=0.01)
    fig = plot_lm_digits(results, ncols=2)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 3 and len(fig.axes) == 4
    for ax, result in zip(panels, results, strict=True):
        heights = [bar.get_height() for bar in ax.patches]
        np.testing.assert_allclose(heights, result.probabilities)
        assert result.prompt in ax.get_title().replace("\n", " ")
    with pytest.raises(ValueError, match="distributions"):
        plot_lm_digits([])
