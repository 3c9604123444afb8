"""A driver that exits cleanly (status 0) in the middle of the run, as if it were done."""

import os
import sys

sys.path.insert(0, os.getcwd())
from tests.wire.drivers._sabotage import run  # noqa: E402

run(lambda endpoint, request: os._exit(0))
