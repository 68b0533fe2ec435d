"""The one error type users see: a single sentence naming the file, row or column, and the fix."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class AdlabError(Exception):
    """Bad input or settings; printed as one line, never as a traceback."""


def exit_on_error(main: Callable[P, R]) -> Callable[P, R]:
    """Run a stage or command; bad input ends it with one line on stderr and exit code 1, no traceback."""

    @functools.wraps(main)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return main(*args, **kwargs)
        except AdlabError as err:
            print(f"adlab: {err}", file=sys.stderr)
            raise SystemExit(1) from None

    return run
