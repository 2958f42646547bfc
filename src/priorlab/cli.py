"""The `priorlab` command: each subcommand is a thin wrapper over library calls.

Errors a user can fix (bad arguments, files, columns) are raised by the library as
`ValueError`/`TypeError`/`FileNotFoundError`; `main` prints their message without a
traceback and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from priorlab import interrupts
from priorlab.benford.groups import DEFAULT_MIN_N
from priorlab.benford.registry import SUMMATION, TESTS
from priorlab.lm.grammar import POSITIONS
from priorlab.priors.params import PARAMS_BY_NAME, PRIOR_NAMES
from priorlab.tables import CHUNK_ROWS

app = typer.Typer(
    name="priorlab",
    help="Randomized prior ensembles, Benford's-law digit tests and sample arrays.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # one error, one line

# What a user can fix: bad values, files and folders (OSError covers missing, existing, unwritable,
# is-a-directory), and a missing optional extra (ImportError, whose message names the extra).
USER_ERRORS = (ValueError, TypeError, KeyError, OSError, ImportError)


# --- subcommands: each helper module section below registers on `app` ---------------------------


# --- benford: digit tests on a column of a CSV/Parquet file -------------------------------------

_TEST_HELP = "; ".join(
    [f"{test.name}: {test.description}" for test in TESTS.values()]
    + [f"{SUMMATION}: sums of the amounts by first two digits (Nigrini 2012)"]
)


@app.command("benford")
def benford_command(
    file: Path = typer.Argument(..., help="CSV file (or Parquet, with pyarrow)."),
    column: str = typer.Option(..., "--column", "-c", help="Name of the numeric column to test."),
    test: str = typer.Option("first", "--test", help=_TEST_HELP),
    sign: str = typer.Option("positive", "--sign", help="positive | negative | both (digits of |x|)"),
    min_value: float | None = typer.Option(None, "--min-value", help="Drop |x| below this (last-two: default 10)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure to this file (.png, .svg, .pdf, ...)."),
    suspects: Path | None = typer.Option(
        None, "--suspects", help="Write the rows behind the --top largest deviations (with their line) to this CSV."),
    duplicates: Path | None = typer.Option(
        None, "--duplicates", help="Write the rows of the --top most duplicated amounts to this CSV."),
    top: int = typer.Option(2, "--top", help="How many deviations (or duplicated amounts) --suspects takes."),
    by: str | None = typer.Option(None, "--by", help="Run the test for every group of this column."),
    min_n: int = typer.Option(DEFAULT_MIN_N, "--min-n", help="With --by: test only groups with this many values."),
    groups_out: Path | None = typer.Option(None, "--out", help="With --by: write the groups table to this CSV."),
    report: Path | None = typer.Option(None, "--report", help="Write the HTML audit report to this folder."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address to compute on."),
    workers: int | None = typer.Option(None, "--workers", help="Start a local Dask cluster of N processes."),
    strict: bool = typer.Option(False, "--strict", help="Fail on text cells instead of counting and dropping them."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Benford's-law tests of one column (Nigrini 2012): digits, summation, second order, with the rows
    behind them, per group, and as an audit report."""
    import json
    from contextlib import nullcontext

    from priorlab.benford import analyze, digits, registry
    from priorlab.benford.columns import read_column
    from priorlab.files import check_output_file
    from priorlab.validation import check_choice, check_int

    check_choice(test, "--test", registry.CHOICES)
    check_choice(sign, "--sign", digits.SIGNS)
    top = check_int(top, "--top", 1)
    min_n = check_int(min_n, "--min-n", 1)
    if scheduler is not None and workers is not None:
        raise ValueError("give either --scheduler or --workers, not both")
    if groups_out is not None and by is None:
        raise ValueError("--out writes the groups table: give --by too")
    if by is not None and (test not in TESTS or TESTS[test].differences):
        raise ValueError(f"--by: the {test} test is not run per group; choose one of "
                         f"{', '.join(n for n, t in TESTS.items() if not t.differences)}")
    _check_plot_path(plot)
    for path, option in ((suspects, "--suspects"), (duplicates, "--duplicates"), (groups_out, "--out")):
        if path is not None:
            check_output_file(path, (".csv",), argument=option)
    if report is not None:
        from priorlab.report import check_output_dir

        check_output_dir(report)
    keys = _group_keys(file, by) if by is not None else None
    data = read_column(file, column, strict=strict)
    if test == SUMMATION and data.n_text:
        raise ValueError(f"--test {SUMMATION}: {file}: the amounts must be numbers; {data.text_summary()}")
    options = {"test": test, "sign": sign, "min_value": min_value, "name": f"{file}: column {column!r}"}
    dask = scheduler is not None or workers is not None
    if dask and data.values.dtype == object:
        raise ValueError(f"{file}: column {column!r} holds integers beyond 64 bits, which are counted "
                         "exactly in one process only; run without --workers/--scheduler")
    if dask:
        from priorlab.distributed import dask_client

        context = dask_client(scheduler, workers)
    else:
        context = nullcontext()
    with context:
        values = data.values
        if dask:
            import dask.array as da

            values = da.from_array(values, chunks=digits.CHUNK_SIZE * 16)
        grouped = None
        if keys is not None:
            grouped = _run_groups(file, column, by, keys, test, sign, min_value, min_n, dask)
        result = analyze(values, progress=not (quiet or json_output or dask), **options)
    if test in TESTS:
        result = data.account(result)
    if data.n_text:
        err_console.print(f"[yellow]dropped {escape(data.text_summary())}[/]", highlight=False)
    written = _write_records(file, column, result, suspects, duplicates, data.values, top, sign)
    if grouped is not None and groups_out is not None:
        from priorlab.files import atomic_path

        with atomic_path(groups_out) as temporary:
            grouped.to_frame().to_csv(temporary, index=False)
    if plot is not None:
        from priorlab.benford.plots import plot_benford, plot_summation
        from priorlab.files import save_figure

        save_figure(plot_summation(result) if test == SUMMATION else plot_benford(result), plot)
    if report is not None:
        from priorlab.audit import write_audit_report

        write_audit_report(file, column, report, sign=sign, min_value=min_value, top=top, groups=grouped,
                           strict=strict)
    if json_output:
        out = result.to_dict()
        if grouped is not None:
            out["groups"] = grouped.to_dict()
        out.update(written)
        sys.stdout.write(json.dumps(out) + "\n")
        return
    if test == SUMMATION:
        console.print(str(result), highlight=False, markup=False)
    else:
        _render_benford(result, f"{file} [{column}]")
    if grouped is not None:
        console.print(str(grouped), highlight=False, markup=False)
    for key, info in written.items():
        console.print(f"{key}: {info['rows']:,} rows -> {info['path']}", highlight=False)
    for label, path in (("plot", plot), ("groups", groups_out), ("report", report)):
        if path is not None:
            console.print(f"{label}: {path}", highlight=False)


def _group_keys(file: Path, by: str):
    """The --by column as text (CSV) or as stored (Parquet), one key per row; refused by name if absent."""
    from priorlab.tables import check_columns, check_input_file, column_names, read_arrow

    check_columns(check_input_file(file), [by], column_names(file), role="--by column")
    return read_arrow(file, [by]).column(by).to_numpy(zero_copy_only=False)


def _run_groups(file, column, by, keys, test, sign, min_value, min_n, dask):
    """The test per --by group, on the amounts aligned with the keys row by row."""
    import pandas as pd

    from priorlab.benford.groups import analyze_by
    from priorlab.tables import read_arrow

    cells = read_arrow(file, [column]).column(column).to_pandas()
    amounts = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float, na_value=float("nan"))
    keys = pd.Series(keys).astype(str).to_numpy(dtype=object) if keys.dtype == object else keys
    if dask:
        import dask.array as da

        amounts, keys = da.from_array(amounts, chunks=1 << 20), da.from_array(keys, chunks=1 << 20)
    return analyze_by(amounts, keys, test, min_n=min_n, sign=sign, min_value=min_value, name=by)


def _write_records(file, column, result, suspects, duplicates, values, top, sign) -> dict:
    """Write the --suspects and --duplicates rows; what was written, for the output."""
    from priorlab.benford.records import duplicate_selector, suspect_selector, write_rows

    written = {}
    if suspects is not None:
        rows = write_rows(file, column, suspect_selector(result, top, sign), suspects)
        written["suspects"] = {"path": str(suspects), "rows": rows, "top": top}
    if duplicates is not None:
        rows = write_rows(file, column, duplicate_selector(values, top, sign), duplicates)
        written["duplicates"] = {"path": str(duplicates), "rows": rows, "top": top}
    return written


def _check_plot_path(plot: Path | None) -> None:
    """Refuse a --plot path that cannot take a figure before any data is read or model loaded."""
    if plot is not None:
        from priorlab.files import check_output_file, figure_suffixes

        check_output_file(plot, figure_suffixes(), argument="--plot")


def _render_benford(result, source: str) -> None:
    """What an auditor reads first: N and drops, the largest deviations, statistics, verdict."""
    from rich.table import Table

    dropped = ", ".join(f"{reason} {count:,}" for reason, count in result.dropped.items() if count)
    console.print(f"[bold]Benford {result.test} digit test[/] of {source}", highlight=False)
    console.print(f"N = {result.n:,} values used; dropped: {dropped or 'none'}", highlight=False)
    deviations = Table(title="largest deviations", title_justify="left")
    for name in ("digits", "count", "expected", "difference", "z", ""):
        deviations.add_column(name, justify="right")
    index = {int(d): i for i, d in enumerate(result.digits)}
    spec = TESTS[result.test]
    for d, _ in result.largest_deviations[:10]:
        i = index[d]
        expected_count = result.expected[i] * result.n
        flag = "[red]*[/]" if result.z[i] > 1.96 else ""
        deviations.add_row(
            spec.label(d),
            f"{result.counts[i]:,}",
            f"{expected_count:,.1f}",
            f"{result.counts[i] - expected_count:+,.1f}",
            f"{result.z[i]:.2f}",
            flag,
        )
    console.print(deviations)
    console.print("[dim]* |z| > 1.96 (5% level, with continuity correction)[/]")
    statistics = Table(title="statistics", title_justify="left", show_header=False)
    statistics.add_column("statistic")
    statistics.add_column("value", justify="right")
    statistics.add_row("chi-square", f"{result.chi2:.4g} (df {result.digits.size - 1}, p = {result.chi2_p:.4g})")
    statistics.add_row("KS distance", f"{result.ks:.5f}")
    statistics.add_row("MAD", f"{result.mad:.6f}")
    statistics.add_row("excess MAD", f"{result.excess_mad:.6f}")
    statistics.add_row("KL divergence", f"{result.kl:.5g} nats")
    statistics.add_row("Pearson r", f"{result.pearson_r:.5f}")
    if result.mantissa is not None:
        m = result.mantissa
        statistics.add_row(
            "mantissa mean / var / skew / ex. kurt",
            f"{m.mean:.4f} / {m.var:.4f} / {m.skewness:.4f} / {m.excess_kurtosis:.4f}"
            "  (Benford 0.5 / 0.0833 / 0 / -1.2)",
        )
    console.print(statistics)
    console.print(f"[bold]verdict:[/] {result.verdict()}", highlight=False)


# --- priors: fit a randomized prior ensemble on a CSV, predict with uncertainty -----------------


def _split_names(text: str | None) -> list[str] | None:
    return None if text is None else [name.strip() for name in text.split(",") if name.strip()]


def _parse_widths(text: str, flag: str = "--hidden") -> list[int]:
    try:
        return [int(width) for width in _split_names(text)]
    except ValueError:
        raise ValueError(f"{flag}: expected comma-separated integers such as 20,20, got {text!r}") from None


def _ensemble_option(name: str, flag: str, *, default: object = None,
                     help: str | None = None) -> typer.models.OptionInfo:
    """A `priorlab fit` option for `Ensemble` parameter `name`: its default and help come from the parameter
    table (`priorlab.priors.params`, which imports without torch); the library checks the value."""
    param = PARAMS_BY_NAME[name]
    text = help or param.describe()
    return typer.Option(param.default if default is None else default, flag, help=text[0].upper() + text[1:] + ".")


@app.command("fit")
def fit_command(
    train: Path = typer.Argument(..., help="Training CSV file."),
    target: str = typer.Option(..., "--target", help="Name of the (numeric) column to predict."),
    features: str | None = typer.Option(None, "--features",
                                        help="Comma-separated feature columns (default: all others)."),
    members: int = _ensemble_option("n_members", "--members"),
    prior: str = _ensemble_option("prior", "--prior",  # the names only: code cannot come from the command line
                                  help=f"{PARAMS_BY_NAME['prior'].help} ({' | '.join(PRIOR_NAMES)})"),
    prior_scale: float = _ensemble_option("prior_scale", "--prior-scale"),
    bootstrap: str = _ensemble_option("bootstrap", "--bootstrap"),
    hidden: str = _ensemble_option("hidden", "--hidden", default=",".join(map(str, PARAMS_BY_NAME["hidden"].default)),
                                   help="comma-separated hidden layer widths of each member's MLP"),
    epochs: int = _ensemble_option("epochs", "--epochs"),
    lr: float = _ensemble_option("lr", "--lr"),
    batch_size: int | None = _ensemble_option("batch_size", "--batch-size"),
    seed: int = _ensemble_option("seed", "--seed"),
    standardize: bool = _ensemble_option("standardize", "--standardize/--raw", default=True,
                                         help="train on standardised features and target (prior scale in units of "
                                         "the target's std) or on raw values"),
    likelihood: str = _ensemble_option("likelihood", "--likelihood"),
    out: Path = typer.Option(..., "--out", help="Model directory to write (replaced if it exists)."),
    scheduler: str | None = typer.Option(None, "--scheduler",
                                         help="Dask scheduler address: train the members in groups on its workers."),
    workers: int | None = typer.Option(None, "--workers",
                                       help="Train the members in groups on a local Dask cluster of N processes."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Train K randomized-prior MLPs together on TRAIN and save them to a model directory."""
    import pandas as pd

    from priorlab.priors import Ensemble
    from priorlab.priors.datasets import read_table
    from priorlab.priors.io import check_model_directory

    check_model_directory(out)
    table = read_table(train, target=target, features=_split_names(features))
    ensemble = Ensemble(n_members=members, hidden=_parse_widths(hidden), prior=prior, prior_scale=prior_scale,
                        bootstrap=bootstrap, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                        standardize=standardize, likelihood=likelihood)
    x = pd.DataFrame(table.x, columns=table.features)
    ensemble.fit(x, pd.Series(table.y, name=target), progress=not quiet, scheduler=scheduler, workers=workers)
    ensemble.save(out)
    final = float(ensemble.history_[-1].mean())
    console.print(f"model: {out} ({members} members, {len(table.x)} rows, features {', '.join(table.features)}; "
                  f"final loss {final:.4g}, {ensemble.fit_seconds_:.2f} s)", highlight=False)


@app.command("predict")
def predict_command(
    model_dir: Path = typer.Argument(..., help="Model directory written by `priorlab fit`."),
    data: Path = typer.Argument(..., help="CSV or Parquet file with the model's feature columns (any size)."),
    out: Path = typer.Option(..., "--out", help="Predictions to write: Parquet if named *.parquet or *.pq, else CSV."),
    level: float = typer.Option(0.9, "--level", help="Probability of the central interval lower..upper."),
    members: bool = typer.Option(False, "--members", help="Also write every member's prediction."),
    chunk_rows: int = typer.Option(CHUNK_ROWS, "--chunk-rows", help="Rows read, predicted and written at a time."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address to predict on."),
    workers: int | None = typer.Option(None, "--workers", help="Predict on a local Dask cluster of N processes."),
) -> None:
    """Write DATA's columns plus mean, std, lower, upper (and member_i) predicted by the ensemble (for a
    model fitted with --likelihood gaussian: its predictive mixture's, member_i being the member means).
    DATA is streamed: memory follows --chunk-rows, not the file, and OUT appears only once complete."""
    from priorlab.files import check_output_file
    from priorlab.priors import Ensemble
    from priorlab.priors.streaming import predict_file

    check_output_file(out, argument="--out")
    if scheduler is not None and workers is not None:
        raise ValueError("give either --scheduler or --workers, not both")
    ensemble = Ensemble.load(model_dir)
    if ensemble.task != "regression":
        raise ValueError(f"{model_dir}: only regression models can be used by `priorlab predict`")
    options = {"level": level, "members": members, "chunk_rows": chunk_rows}
    if scheduler is not None or workers is not None:
        from priorlab.distributed import dask_client

        with dask_client(scheduler, workers) as client:
            rows = predict_file(ensemble, data, out, client=client, **options)
    else:
        rows = predict_file(ensemble, data, out, **options)
    console.print(f"predictions: {out} ({rows} rows)", highlight=False)


# --- demo: the end-to-end showcase report -------------------------------------------------------


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("out"), "--out", help="Report folder (created, or a previous report replaced)."),
    quick: bool = typer.Option(False, "--quick", help="A small, fast run (about a minute) with the same files."),
    members: int | None = typer.Option(None, "--members", help="Ensemble members K (default 40, quick 10)."),
    model: str = typer.Option("default", "--model", help="Language model spec for the Benford section."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random process."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """Reproduce Osband et al. (2018) and Perone (2019) end to end: OUT/index.html, summary.json, figures."""

    from priorlab.demo import DemoConfig, run_demo

    config = DemoConfig(out=out, quick=quick, members=members, model=model, seed=seed, progress=not quiet)
    result = run_demo(config)
    for section, reason in result.skipped.items():
        err_console.print(f"[yellow]skipped {section}:[/] {escape(reason)}", highlight=False)
    console.print(f"report: {result.out / 'index.html'} ({len(result.figures)} figures)", highlight=False)


# --- deep-sea: the exploration experiment of Osband et al. (2018) -------------------------------


@app.command("deep-sea")
def deep_sea_command(
    size: int = typer.Option(10, "--size", help="Deep Sea size N (an N x N grid, N steps per episode)."),
    agent: str = typer.Option(
        "prior",
        "--agent",
        help="prior | bootstrap | dqn: bootstrapped DQN with randomized "
        "priors, without priors, or one network acting epsilon-greedily.",
    ),
    members: int | None = typer.Option(None, "--members", help="Q-networks K (default 20; dqn 1)."),
    episodes: int | None = typer.Option(None, "--episodes", help="Episode budget of each run (default 1000)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the action mapping and of every random choice of the agent."),
    sweep: bool = typer.Option(False, "--sweep", help="All three agents over --sizes and --seeds, in parallel."),
    sizes: str | None = typer.Option(None, "--sizes", help="Sizes of the sweep (default 10,14,...,30)."),
    seeds: int = typer.Option(3, "--seeds", help="Seeds 0..S-1 of the sweep."),
    workers: int | None = typer.Option(None, "--workers", help="Processes of the sweep (default: 2 or the CPUs)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Figure file: the learning curve, or the sweep's figure."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """Deep exploration on Deep Sea (bsuite): learning time of bootstrapped DQN with and without randomized priors
    (Osband et al. 2016, 2018) and epsilon-greedy DQN."""
    import json

    from priorlab.files import save_figure
    from priorlab.rl import plots
    from priorlab.rl.agent import agent_config
    from priorlab.rl.experiment import BUDGET, deep_sea
    from priorlab.rl.sweep import SIZES
    from priorlab.rl.sweep import sweep as run_sweep

    _check_plot_path(plot)
    episodes = BUDGET if episodes is None else episodes
    if sweep:
        result = run_sweep(
            tuple(_parse_widths(sizes, "--sizes")) if sizes else SIZES,
            seeds,
            episodes=episodes,
            workers=workers,
            progress=not quiet,
        )
        figure = plots.plot_sweep(result) if plot is not None else None
        data = result.to_dict()
    else:
        agent_config(agent, members=members)  # refuse a bad agent or K before any work
        result, seen = deep_sea(size, agent, episodes=episodes, seed=seed, members=members, progress=not quiet)
        figure = plots.plot_learning(result, seen) if plot is not None else None
        data = result.to_dict()
    if figure is not None:
        save_figure(figure, plot)
    if as_json:
        print(json.dumps(data))
    elif sweep:
        _render_sweep(result)
    else:
        learned = "never" if result.learning_time is None else f"episode {result.learning_time}"
        console.print(
            f"deep sea N={result.size} {result.agent} seed {result.seed}: learned {learned}, "
            f"{result.treasures} treasures in {result.episodes} episodes, {result.seconds:.1f} s",
            highlight=False,
        )
    if plot is not None and not as_json:
        console.print(f"plot: {plot}", highlight=False)


def _render_sweep(result) -> None:
    from rich.table import Table

    table = Table("agent", "N", "learning times (per seed)", title=f"Deep Sea, budget {result.budget} episodes")
    for key in sorted({(run.agent, run.size) for run in result.runs}):
        times = [run.learning_time for run in result.runs if (run.agent, run.size) == key]
        table.add_row(key[0], str(key[1]), ", ".join("-" if t is None else str(t) for t in times))
    console.print(table)
    if result.exponent is not None:
        se = "" if result.exponent_se is None else f" ± {result.exponent_se:.2f}"
        console.print(
            f"prior agent: learning time ~ N^{result.exponent:.2f}{se}; {result.seconds:.0f} s", highlight=False
        )


# --- lm-digits: the digits a language model expects after a prompt ------------------------------


@app.command("lm-digits")
def lm_digits_command(
    prompts: list[str] | None = typer.Argument(None, help="Prompts (default: the built-in set of 64)."),
    prompts_file: Path | None = typer.Option(None, "--prompts-file", help="More prompts, one per line ('#' comments)."),
    model: str = typer.Option("default", "--model", help="default | Hugging Face id (local cache) | directory | .gguf"),
    position: str = typer.Option("first", "--position", help=" | ".join(POSITIONS)),
    method: str = typer.Option(
        "exact", "--method",
        help="exact (every way of writing the number) | tokens (the nine single-digit tokens, Perone 2019)",
    ),
    batch_size: int = typer.Option(64, "--batch-size", help="Prompts per forward pass."),
    tol: float = typer.Option(1e-4, "--tol", help="Largest probability left unresolved per prompt."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON list, one object per prompt."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write the grid of digit plots to this file (.png, .svg, .pdf, ...)."
    ),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address: shard prompts over it."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """P(digit | prompt, a number follows) from a causal language model, with Benford statistics."""
    import json
    import warnings

    from priorlab.lm import api
    from priorlab.lm import prompts as builtin

    _check_plot_path(plot)
    options = {"position": position, "method": method, "batch_size": batch_size, "tol": tol}
    api.check_distribution_options(**options)  # before the model loads, which takes seconds
    texts = list(prompts or [])
    if prompts_file is not None:
        texts += [p.text for p in builtin.load_prompts_file(prompts_file)]
    if not texts and prompts_file is None:
        texts = [p.text for p in builtin.BUILTIN_PROMPTS]
    texts = api.prompt_texts(texts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", api.LowNumberMassWarning)
        if scheduler is not None:
            from priorlab.distributed import dask_client
            from priorlab.lm.cluster import digit_distribution_on_cluster

            with dask_client(scheduler) as client:
                results = digit_distribution_on_cluster(model, texts, client, progress=not quiet, **options)
        else:
            from priorlab.lm.loading import load_lm

            results = api.digit_distribution(load_lm(model, progress=not quiet), texts, progress=not quiet, **options)
    for warning in caught:
        err_console.print(f"[yellow]warning:[/] {warning.message}", highlight=False)
    if plot is not None:
        from priorlab.benford.plots import plot_lm_digits
        from priorlab.files import save_figure

        save_figure(plot_lm_digits(results), plot)
    if json_output:
        sys.stdout.write(json.dumps([r.to_dict() for r in results]) + "\n")
        return
    _render_lm_digits(results, model)
    if plot is not None:
        console.print(f"plot: {plot}", highlight=False)


def _render_lm_digits(results, model: str) -> None:
    """One row per prompt: the digit probabilities in thousandths (or the top three), masses, statistics."""
    import numpy as np
    from rich import box
    from rich.table import Table

    first = results[0]
    per_digit = len(first.digits) <= 10
    table = Table(
        title=f"P({first.position} digit | prompt, a number follows): {escape(model)}, {first.method}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("prompt", overflow="fold", min_width=20)
    heading = f"P(d) in %, d = {first.digits[0]}..{first.digits[-1]}" if per_digit else "most likely"
    table.add_column(heading, no_wrap=True)
    for name in ("P(num)", "r", "MAD"):
        table.add_column(name, justify="right")
    for r in results:
        stats = r.to_dict()
        if per_digit:
            cells = " ".join(" -" if p is None else f"{round(100 * p):2d}" for p in stats["probabilities"])
        else:
            top = np.argsort(-np.nan_to_num(r.probabilities))[:3]
            cells = ", ".join(f"{r.digits[i]}: {r.probabilities[i]:.3f}" for i in top)
        table.add_row(
            escape(r.prompt),
            cells,
            f"{r.number_mass:.3f}",
            "-" if stats["pearson_r"] is None else f"{stats['pearson_r']:.3f}",
            "-" if stats["mad"] is None else f"{stats['mad']:.4f}",
        )
    console.print(table)
    unresolved = max((r.unresolved_mass for r in results), default=float("nan"))
    console.print(
        f"[dim]P(num): probability that a number follows; r, MAD: Pearson correlation with and mean absolute "
        f"deviation from Benford's law; largest unresolved mass {unresolved:.1e} (--json gives all)[/]",
        highlight=False,
    )


INTERRUPTED = 130  # 128 + SIGINT, the shell's convention, so `fit && predict` stops after Ctrl-C


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: every failure a user can act on is one line on stderr.

    User errors exit 2; Ctrl-C exits 130 (typer turns KeyboardInterrupt into that exit code, which it
    returns rather than raises when not in standalone mode). Writers clean up on the way out, so an
    interrupted command leaves the previous output as it was. `argv` defaults to `sys.argv[1:]`; tests
    pass it explicitly and catch `SystemExit`.
    """
    try:
        with interrupts.watch():
            status = app(args=argv, standalone_mode=False)
            if interrupts.seen():  # a Ctrl-C that landed where Python ignored it: nothing was put in place
                status = INTERRUPTED
    except KeyboardInterrupt:  # outside a command, e.g. while its options are parsed
        status = INTERRUPTED
    except USER_ERRORS as exc:
        _fail(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
    except typer.Abort:
        _fail("aborted", status=1)
    except typer.TyperException as exc:  # usage errors (missing or malformed options): click's message
        command = f" {exc.ctx.command_path}" if getattr(exc, "ctx", None) is not None else " priorlab"
        _fail(f"{exc.format_message()} (see{command} --help)")
    if status == INTERRUPTED:
        _fail("interrupted; nothing was written", status=INTERRUPTED)
    if isinstance(status, int) and status:
        sys.exit(status)


def _fail(message: object, status: int = 2) -> None:
    """Print `message` as one line (never read as rich markup) and exit with `status`."""
    text = " ".join(str(message).split())
    err_console.print(f"[bold red]error:[/] {escape(text)}", highlight=False)
    sys.exit(status)


if __name__ == "__main__":
    main()
