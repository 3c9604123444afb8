"""An adapter that checks the installed release before importing it, as the built-in ones
do: pytest is certainly not older than 1.0, so the check refuses it."""

from conformance.adapter import require_version

require_version("pytest", "<1.0", "acme")
