"""A driver that writes a line that is not a protocol message instead of its answer."""

import os
import sys
import time

sys.path.insert(0, os.getcwd())
from tests.wire.drivers._sabotage import run  # noqa: E402


def garbage(endpoint, request):
    endpoint._write_line("Traceback (most recent call last): this is not JSON")
    time.sleep(3600)  # the kit must not wait for an answer that follows garbage


run(garbage)
