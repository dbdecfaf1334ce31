"""endolab.web — the web app: JSON API, calculator pages, embeddable widgets, trial explorer.

``endolab serve`` runs :func:`create_app` with uvicorn. The web layer holds no science: every
number comes from the library, with its units, assumptions, notices and the disclaimer.
"""

from endolab.web.app import create_app
from endolab.web.settings import Settings

__all__ = ["Settings", "create_app"]
