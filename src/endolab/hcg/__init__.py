"""endolab.hcg (work in progress)."""
