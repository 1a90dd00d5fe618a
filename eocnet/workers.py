"""Several server processes on one port, each with its own listening socket.

uvicorn's own ``--workers`` shares one listening socket among the processes; the
first process to wake accepts every connection waiting (asyncio accepts up to its
backlog at once), so long-lived API clients pile up on one process while the other
idles. Here each process opens its own socket with ``SO_REUSEPORT`` and the kernel
spreads new connections over them evenly. Each process is a complete server (its
own database pool, live-stream hub and group writer); they share the database:
PostgreSQL, or a SQLite file whose writers queue on its lock file.

If one process dies, the others are stopped and the command exits non-zero, so the
service manager (systemd, a container runtime) restarts the whole server cleanly.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _exit_with_parent() -> None:
    """Stop this worker if the supervisor dies (even by SIGKILL, which it cannot pass on)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="eocnet-parent-watch", daemon=True).start()


def _serve_one(host: str, port: int, options: dict[str, Any]) -> None:
    sock = _listening_socket(host, port)  # first: the kernel spreads connections from now on
    _exit_with_parent()
    import uvicorn

    config = uvicorn.Config("eocnet.asgi:app", host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve(host: str, port: int, workers: int, **options: Any) -> int:
    """Run ``workers`` server processes until interrupted; returns an exit status."""
    if workers <= 1:
        import uvicorn

        uvicorn.run("eocnet.asgi:app", host=host, port=port, **options)
        return 0
    # Bind once here first: a port in use is reported at once, not by each worker.
    _listening_socket(host, port).close()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_serve_one, args=(host, port, options), name=f"eocnet-{i + 1}")
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while not stopping:
        if any(not p.is_alive() for p in processes):
            print("a server process stopped; stopping the others", file=sys.stderr)
            status = 1
            break
        time.sleep(0.2)
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes its requests and stops
    for process in processes:
        process.join(15)
        if process.is_alive():
            process.kill()
    return status
