"""The Typer application and the error handling every command shares: one line, no traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from bondlens.errors import BondlensError

app = typer.Typer(
    name="bondlens",
    help=(
        "bondlens reads your own exported chat history, on this computer only, and shows patterns of harm "
        "and reconciliation with the exact messages as evidence. Findings are indications, never diagnoses."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err_console = Console(stderr=True, highlight=False)

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 70

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn bondlens errors into one plain line on stderr and a non-zero exit; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except BondlensError as exc:
            err_console.print(f"error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except BrokenPipeError:
            # the reader (e.g. `head`) went away; stop quietly as other command-line tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            err_console.print("interrupted", markup=False)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug of ours: say so in one line, traceback only on request
            if os.environ.get("BONDLENS_DEBUG") == "1":
                raise
            err_console.print(
                f"internal error: {type(exc).__name__}: {exc} "
                "(this is a bug in bondlens; set BONDLENS_DEBUG=1 to see the details)",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None

    return wrapper


def main() -> None:
    """Entry point of the `bondlens` console script."""
    app()
