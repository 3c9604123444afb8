"""Deliberately broken run-stream implementations: each breaks one ``RS-`` rule.

Every module is a small variant of ``reference.streams`` (see ``_streams``) with a
``BREAKS`` rule ID and a ``runcert_adapter``; ``tests/streams/test_broken.py``
certifies each over the packaged stream suites and expects that rule to fail.
"""
