"""The packaged application's entry point (PyInstaller runs this as a script)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
