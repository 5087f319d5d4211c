"""The dashboard server."""

from __future__ import annotations

from typing import Annotated

import typer

from vrhub.cli.common import HomeOpt, app, err, home_of
from vrhub.errors import ConfigurationError

#: Addresses that reach only this machine.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    home: HomeOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="The dashboard is served to others through a reverse proxy that terminates "
            "TLS (docs/how-to/deploy.md): listen on any address and trust the proxy's "
            "forwarded headers. Without it the dashboard serves this machine only.",
        ),
    ] = False,
    proxy_address: Annotated[
        str, typer.Option(help="With --behind-proxy: the proxy's address, whose headers count.")
    ] = "127.0.0.1",
) -> None:
    """Serve the dashboard for a home (sign in with an account from the record store).

    Commands that read figures work while it serves; upload files on its Data page.
    """
    if host not in LOOPBACK and not behind_proxy:
        raise ConfigurationError(
            f"the dashboard serves {host} only behind a reverse proxy that provides HTTPS "
            "(sign-ins and partner data must not cross a network in the clear): set one up as "
            "docs/how-to/deploy.md says and add --behind-proxy, or serve 127.0.0.1"
        )
    import uvicorn

    from vrhub.web.app import create_app

    application = create_app(home_of(home), secure_cookies=True, warm=True)
    where = "behind your proxy" if behind_proxy else f"at http://{host}:{port}/"
    err.print(f"Serving the dashboard {where} (Ctrl+C to stop)")
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=behind_proxy,
        forwarded_allow_ips=proxy_address if behind_proxy else None,
    )
