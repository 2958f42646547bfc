"""The `priorlab` command: one module per subcommand, registered here.

A command parses its options, calls one library function and prints its result through
`_output.Output`. Errors a user can fix (bad arguments, files, columns) are raised by the library as
`ValueError`/`TypeError`/`FileNotFoundError`; `main` prints their message as one line, without a
traceback, and exits with status 2.
"""

from __future__ import annotations

import sys

import typer

from priorlab import interrupts
from priorlab.cli import benford, deep_sea, demo, fit, lm_digits, predict
from priorlab.cli._output import Output

app = typer.Typer(
    name="priorlab",
    help="Randomized prior ensembles, Benford's-law digit tests and sample arrays.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMANDS = {
    "benford": benford.benford,
    "fit": fit.fit,
    "predict": predict.predict,
    "demo": demo.demo,
    "deep-sea": deep_sea.deep_sea,
    "lm-digits": lm_digits.lm_digits,
}
"""Every subcommand by name, in the order `priorlab --help` lists them."""

for _name, _command in COMMANDS.items():
    app.command(_name)(_command)

# What a user can fix: bad values, files and folders (OSError covers missing, existing, unwritable,
# is-a-directory), and a missing optional extra (ImportError, whose message names the extra).
USER_ERRORS = (ValueError, TypeError, KeyError, OSError, ImportError)

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
    Output.error(str(message))
    sys.exit(status)
