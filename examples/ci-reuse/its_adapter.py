"""The runcert adapter of "acme-callbacks", the project this example stands for.

A real project builds an ``Adapter`` around its own callback manager (see runcert's
specs/adapter.md). To keep the example runnable anywhere, acme's "implementation" is
runcert's reference, under acme's name.
"""

from dataclasses import replace

from conformance.adapters.reference import runcert_adapter as _reference

runcert_adapter = replace(_reference, name="acme_callbacks")
