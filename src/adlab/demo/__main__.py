"""`python -m adlab.demo [--out data/sample] [--seed 7] [--scale 1.0]`: write the demo exports."""

from adlab.demo.write import main

raise SystemExit(main())
