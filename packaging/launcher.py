"""The frozen app's entry script: the same entry point as the `prompt-workbench` command."""

import sys

from workbench.app import main

if __name__ == "__main__":
    sys.exit(main())
