"""Entry script for the frozen (PyInstaller) build: the same `desk` command."""

import sys

from desk.cli.main import main

sys.exit(main())
