"""endolab.hormones (work in progress)."""
