"""endolab.cgm (work in progress)."""
