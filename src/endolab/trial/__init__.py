"""endolab.trial (work in progress)."""
