"""Kept so that branches written before :mod:`endolab.output` existed still import; not public.

Import :data:`~endolab.output.DISCLAIMER` and :data:`~endolab.output.IN_SILICO_NOTICE` from
:mod:`endolab.output`.
"""

from endolab.output import DISCLAIMER, IN_SILICO_NOTICE

__all__ = ["DISCLAIMER", "IN_SILICO_NOTICE"]
