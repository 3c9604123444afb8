"""Driver programs that serve implementations over the runcert wire protocol."""
