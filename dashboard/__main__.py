"""`python -m dashboard ...` entry point."""

import sys

from dashboard.cli import main

sys.exit(main())
