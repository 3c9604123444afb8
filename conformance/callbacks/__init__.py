"""The callback-manager half of the kit: lanes, recording handlers, programs, strategies,
probes, scenario inputs and suites of the callbacks contract (specs/callbacks/)."""
