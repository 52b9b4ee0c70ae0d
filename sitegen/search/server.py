"""The search service's HTTP server: waitress, with ``Expect: 100-continue`` answered correctly."""

from __future__ import annotations

from collections.abc import Callable

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server


class _Channel(HTTPChannel):
    """waitress 3.0 sends ``100 Continue`` to a request that has no body and then marks the
    request incomplete, so a GET with ``Expect: 100-continue`` waits for a body that never
    comes until the client gives up. A request without a body is already complete: it is
    answered at once, with no interim response (RFC 9110 §10.1.1 allows leaving it out)."""

    def send_continue(self):
        # waitress calls this only while it reads a request, so there is one (its own
        # send_continue uses self.request unchecked too).
        assert self.request is not None
        if self.request.completed:
            self.request.expect_continue = False
            return
        super().send_continue()


def make_server(app: Callable, host: str, port: int, threads: int):
    """A waitress server for ``app`` on host:port (0: any free port; see ``effective_port``)."""
    server = create_server(app, host=host, port=port, threads=threads, ident="sitegen-search")
    # One address gives one listening server; a host name with several addresses gives a
    # MultiSocketServer, which has no channel class of its own (its servers keep waitress's).
    if isinstance(server, BaseWSGIServer):
        server.channel_class = _Channel
    return server


def serve(app: Callable, host: str, port: int, threads: int) -> None:
    """Serve until interrupted."""
    server = make_server(app, host, port, threads)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
