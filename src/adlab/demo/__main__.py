"""`python -m adlab.demo [--out data/sample] [--seed 7] [--scale 1.0]`: write the demo exports.

With `--accounts N [--rows R] [--truth PATH]`: a portfolio of N shops, one folder each.
"""

from adlab.demo.cli import main

raise SystemExit(main())
