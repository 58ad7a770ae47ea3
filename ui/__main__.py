"""``python -m ui``: the same as ``wsc``."""
import sys

from ui.launcher import main

sys.exit(main())
