"""The `priorlab` command: each subcommand is a thin wrapper over library calls.

Errors a user can fix (bad arguments, files, columns) are raised by the library as
`ValueError`/`TypeError`/`FileNotFoundError`; `main` prints their message without a
traceback and exits with status 2.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

app = typer.Typer(
    name="priorlab",
    help="Randomized prior ensembles, Benford's-law digit tests and sample arrays.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

USER_ERRORS = (ValueError, TypeError, FileNotFoundError, FileExistsError, PermissionError, KeyError)


# --- subcommands: each helper module section below registers on `app` ---------------------------


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: user errors become one line on stderr and exit 2.

    `argv` defaults to `sys.argv[1:]`; tests pass it explicitly and catch `SystemExit`.
    """
    try:
        app(args=argv, standalone_mode=False)
    except USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click's usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
