"""A driver that exits before its hello (a program that is no driver at all)."""

import sys

sys.stderr.write("no_hello: this program does not speak runcert-wire/1\n")
sys.exit(5)
