"""Deep Sea's settings are declared once (`priorlab.rl.settings`) and are what a run, the sweep and the command
line use unless told otherwise (the demo's sweep: tests/test_demo.py)."""

import inspect
import json

import numpy as np

import priorlab.rl.experiment as experiment
import priorlab.rl.sweep as sweep_module
from priorlab.cli import main
from priorlab.rl import settings
from priorlab.rl.experiment import DeepSeaResult, Episodes
from priorlab.rl.sweep import SweepResult


def test_a_command_line_run_without_episodes_runs_the_budget(capsys):
    main(["deep-sea", "--size", "2", "--agent", "dqn", "--json", "--quiet"])  # a single run never stops early
    assert json.loads(capsys.readouterr().out)["episodes"] == settings.BUDGET


def test_the_command_line_runs_the_settings_unless_told_otherwise(monkeypatch, capsys):
    calls = {}

    def one_run(size, agent, *, episodes, seed, members, progress):
        calls["run"] = (size, episodes)
        return DeepSeaResult(size, agent, seed, 0, None, 0, 0.0), Episodes(np.zeros(0), np.zeros(0, bool), 0, 0.0)

    def sweep(sizes, seeds, *, episodes, workers, progress):
        calls["sweep"] = (tuple(sizes), seeds, episodes)
        return SweepResult([], episodes, None, None, 0.0)

    monkeypatch.setattr(experiment, "deep_sea", one_run)
    monkeypatch.setattr(sweep_module, "sweep", sweep)
    main(["deep-sea", "--json", "--quiet"])
    main(["deep-sea", "--sweep", "--json", "--quiet"])
    capsys.readouterr()
    assert calls == {"run": (settings.SIZE, settings.BUDGET),
                     "sweep": (settings.SIZES, settings.SEEDS, settings.BUDGET)}


def test_a_library_run_without_episodes_runs_the_budget(monkeypatch):
    asked = []

    def no_episodes(agent, env, episodes, **kwargs):
        asked.append(episodes)
        return Episodes(np.zeros(0), np.zeros(0, bool), 0, 0.0)

    monkeypatch.setattr(experiment, "run", no_episodes)
    experiment.deep_sea(3, "dqn", progress=False)
    assert asked == [settings.BUDGET]


def test_the_sweep_defaults_are_the_settings():
    defaults = {name: p.default for name, p in inspect.signature(sweep_module.sweep).parameters.items()}
    assert (defaults["sizes"], defaults["seeds"], defaults["episodes"]) == (
        settings.SIZES, settings.SEEDS, settings.BUDGET)
