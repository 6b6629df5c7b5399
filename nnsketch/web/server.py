"""`serve()`: run the app under uvicorn (what `nnsketch serve` calls).

With several workers uvicorn must import the app itself in each process, so it
gets the factory's import string rather than an app object.
"""

from __future__ import annotations

import uvicorn

APP_FACTORY = "nnsketch.web.app:create_app"


def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info"
) -> None:
    """Serve until interrupted; `workers` > 1 starts that many processes."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
