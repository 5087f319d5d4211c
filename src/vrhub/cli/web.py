"""The dashboard server."""

from __future__ import annotations

from typing import Annotated

import typer

from vrhub.cli.common import HomeOpt, app, err, home_of


@app.command()
def serve(
    home: HomeOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the dashboard for a home (sign in with an account from the record store)."""
    import uvicorn

    from vrhub.web.app import create_app

    application = create_app(home_of(home), secure_cookies=host not in ("0.0.0.0", "::"), warm=True)
    err.print(f"Serving the dashboard at http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
