"""`python -m softmax ...`: see softmax/cli.py, or run `python -m softmax --help`."""

from softmax.cli import main

raise SystemExit(main())
