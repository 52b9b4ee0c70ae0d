"""The entry point for production WSGI servers: ``sitegen.search.wsgi:application``."""

from __future__ import annotations

import os
from pathlib import Path

from .service import SearchService

# The index folder that `sitegen build` writes (build/search), given by the environment because
# WSGI servers import an application object rather than call a function with arguments.
application = SearchService(Path(os.environ.get("SITEGEN_SEARCH_INDEX", "build/search")).resolve())
