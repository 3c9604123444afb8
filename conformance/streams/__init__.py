"""Kit-side helpers for the run-stream contract: scripted sources and drivers."""
