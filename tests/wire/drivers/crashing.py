"""A driver that crashes (exit status 3) in the middle of a request."""

import os
import sys

sys.path.insert(0, os.getcwd())
from tests.wire.drivers._sabotage import run  # noqa: E402

run(lambda endpoint, request: os._exit(3))
