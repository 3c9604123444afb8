"""A driver that hangs in the middle of a request (it never answers, sends nothing)."""

import os
import sys
import time

sys.path.insert(0, os.getcwd())
from tests.wire.drivers._sabotage import run  # noqa: E402

run(lambda endpoint, request: time.sleep(3600))
