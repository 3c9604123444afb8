"""Reference implementations of the contracts that runcert certifies."""
