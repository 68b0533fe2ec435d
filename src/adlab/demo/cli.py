"""`python -m adlab.demo`: write the demo store's exports, or with `--accounts N` a portfolio of N shops."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from adlab.demo.portfolio import LATEST_WEEK, WEEK_BEFORE, AccountTruth, write_accounts
from adlab.demo.write import write_sample
from adlab.errors import AdlabError, exit_on_error
from adlab.io import atomic_path


def write_truth(path: Path, seed: int, truths: dict[str, AccountTruth]) -> None:
    """The truth of a generated portfolio as JSON: the weeks compared and, by account name, what it holds."""
    document = {
        "seed": seed,
        "accounts": len(truths),
        "rows": sum(truth.rows for truth in truths.values()),
        "latest_complete_week": LATEST_WEEK,
        "week_before": WEEK_BEFORE,
        "by_account": {name: dataclasses.asdict(truth) for name, truth in truths.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m adlab.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--scale", type=float, default=None, help="multiplies ads, campaigns and orders (one store)")
    parser.add_argument("--accounts", type=int, default=None, help="write N accounts, each into OUT/<account name>/")
    parser.add_argument("--rows", type=int, default=None, help="ad-level rows of all accounts together, about")
    parser.add_argument("--truth", type=Path, default=None, help="write what each account holds as JSON here")
    parser.add_argument("--jobs", type=int, default=None, help="processes writing accounts (default: one per core)")
    parser.add_argument(
        "--no-breakdowns", dest="breakdowns", action="store_false", help="skip the age x gender file (benchmarks)"
    )
    parser.add_argument("--orders-share", type=float, default=1.0, help="the stores' orders as a share of normal")
    return parser


@exit_on_error
def main(argv: Sequence[str] | None = None) -> int:
    """`python -m adlab.demo [--out data/sample] [--seed 7] [--scale 1.0]`, or `--accounts N [--rows R] [--truth P]`."""
    args = _parser().parse_args(argv)
    if args.accounts is None:
        if args.rows is not None or args.truth is not None:
            raise AdlabError("--rows and --truth describe a portfolio: add --accounts N.")
        scale = 1.0 if args.scale is None else args.scale
        for path in write_sample(args.out, args.seed, scale, args.breakdowns, args.orders_share):
            print(path)
        return 0
    if args.scale is not None:
        raise AdlabError("--scale makes one bigger store; with --accounts, size the portfolio with --rows.")
    out = args.out.resolve()
    if args.truth is not None and args.truth.resolve().is_relative_to(out):
        raise AdlabError(f"--truth {args.truth} lies inside --out {args.out}, where every file is read as an export.")
    started = time.perf_counter()
    jobs = args.jobs or os.cpu_count() or 1
    truths = write_accounts(args.out, args.accounts, args.rows, args.seed, args.breakdowns, args.orders_share, jobs)
    rows = sum(truth.rows for truth in truths.values())
    seconds = time.perf_counter() - started
    print(f"{len(truths)} accounts, {rows:,} ad-level rows in {args.out}/<account>/ ({seconds:.1f} s)")
    if args.truth is not None:
        write_truth(args.truth, args.seed, truths)
        print(f"truth: {args.truth}")
    return 0
