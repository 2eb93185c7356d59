"""A board-pinning reverse proxy: every connection for one board goes to the same server process.

Run: .venv/bin/python bench/proxy.py --listen 8000 --backend 127.0.0.1:8001 --backend 127.0.0.1:8002

It reads the first request line of each TCP connection, takes the board id from the path
(/ws/boards/<id>/, /b/<id>/, /api/boards/<id>/...) and ranks the backends by rendezvous hashing
of (board, backend): the first one that accepts the connection gets it, so a board stays on one
process while that process lives, and moves to the next in its ranking when it dies. Adding or
removing a backend moves only the boards ranked first on it. Connections without a board id are
hashed on their path.

This is the behaviour to ask of a production load balancer (HAProxy `balance uri` with
`hash-type consistent`, or nginx `hash $board_id consistent`); this proxy exists to show and test
it on one machine, not to serve traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import re
from collections import Counter, defaultdict

BOARD_IN_PATH = re.compile(rb"^/(?:ws/boards|api/boards|b)/([0-9a-fA-F-]{32,36})(?:/|$)")
CONNECT_TIMEOUT = 2.0
MAX_HEAD = 64 * 1024

Backend = tuple[str, int]


def board_of(path: bytes) -> str:
    match = BOARD_IN_PATH.match(path)
    return (match.group(1) if match else path.split(b"?")[0]).decode("latin1").lower()


def ranking(key: str, backends: list[Backend]) -> list[Backend]:
    """Backends in the order this key prefers them (highest random weight first)."""

    def weight(backend: Backend) -> bytes:
        return hashlib.blake2b(f"{key}|{backend[0]}:{backend[1]}".encode(), digest_size=8).digest()

    return sorted(backends, key=weight, reverse=True)


class BoardPinningProxy:
    def __init__(self, backends: list[Backend], host: str = "127.0.0.1", port: int = 0):
        self.backends = backends
        self.host = host
        self.port = port
        self.server: asyncio.Server | None = None
        # What went where: board -> backend -> connections, for tests and for the curious.
        self.routes: dict[str, Counter[Backend]] = defaultdict(Counter)

    async def start(self) -> BoardPinningProxy:
        self.server = await asyncio.start_server(self._handle, self.host, self.port, limit=MAX_HEAD)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            head = await client_reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            client_writer.close()
            return
        parts = head.split(b" ", 2)
        board = board_of(parts[1] if len(parts) > 1 else b"/")
        for backend in ranking(board, self.backends):
            try:
                server_reader, server_writer = await asyncio.wait_for(
                    asyncio.open_connection(*backend), CONNECT_TIMEOUT
                )
            except (OSError, TimeoutError):
                continue  # that process is down: the board fails over to the next in its ranking
            self.routes[board][backend] += 1
            server_writer.write(head)
            await asyncio.gather(
                _pipe(client_reader, server_writer), _pipe(server_reader, client_writer), return_exceptions=True
            )
            return
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        client_writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        # One side hung up (or died): the other side learns it at once, as it would from a balancer.
        writer.close()


def parse_backend(text: str) -> Backend:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def serve(listen: int, backends: list[Backend]) -> None:
    proxy = await BoardPinningProxy(backends, port=listen).start()
    print(f"pinning boards on 127.0.0.1:{proxy.port} to {', '.join(f'{h}:{p}' for h, p in backends)}")
    await asyncio.Event().wait()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", type=int, default=8000)
    p.add_argument("--backend", action="append", type=parse_backend, required=True)
    args = p.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.listen, args.backend))


if __name__ == "__main__":
    main()
