"""`python -m workbench`: same as the `prompt-workbench` command."""

import sys

from workbench.app import main

sys.exit(main())
