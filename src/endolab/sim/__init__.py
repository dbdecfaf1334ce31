"""endolab.sim (work in progress)."""
