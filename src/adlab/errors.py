"""The one error type users see: a single sentence naming the file, row or column, and the fix."""


class AdlabError(Exception):
    """Bad input or settings; printed as one line, never as a traceback."""


def exit_on_error(main):  # type: ignore[no-untyped-def]
    """Run a stage or command; bad input ends it with one line on stderr and exit code 1, no traceback."""
    import functools
    import sys

    @functools.wraps(main)
    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return main(*args, **kwargs)
        except AdlabError as err:
            print(f"adlab: {err}", file=sys.stderr)
            raise SystemExit(1) from None

    return run
