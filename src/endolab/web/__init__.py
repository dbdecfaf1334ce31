"""endolab.web (work in progress)."""
