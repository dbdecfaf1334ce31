"""Numpy/polars kernels under the CGM metrics: groups of readings and group-wise reductions
(:mod:`~endolab.cgm.kernels.groups`), R iglu's interpolated grid and the explicit
:class:`~endolab.cgm.kernels.grid.Intermediates` (:mod:`~endolab.cgm.kernels.grid`), and the one
chunker of the engine (:mod:`~endolab.cgm.kernels.chunks`).

Layer 2 of ``endolab.cgm``: imports only the schema and frame layers below it; the metrics,
episodes and indices above import it (``tests/cgm/test_layers.py``).
"""
