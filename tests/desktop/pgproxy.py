"""A TCP proxy in front of PostgreSQL that a test can unplug: the server "stops" for the station
(connections cut, new ones refused) and "starts" again, while the real server keeps running for
the other tests. It can also cut the line just after a COMMIT went through, before its answer
comes back: the commit outcome the station cannot know.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class PostgresProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.cut_after_commit = False
        self._mute = False  # answers from the server are dropped: the line is going down
        self.start()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._mute = False
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """The server goes away: every connection cut, nothing listening."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for each in sockets:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets |= {client, server}
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        try:
            while chunk := source.recv(65536):
                committing = from_client and self.cut_after_commit and b"COMMIT" in chunk
                if committing:
                    self.cut_after_commit = False
                    self._mute = True  # the answer to this COMMIT never reaches the station
                if not from_client and self._mute:
                    continue
                sink.sendall(chunk)
                if committing:
                    time.sleep(0.3)  # the server commits; then the line goes down
                    threading.Thread(target=self.stop, daemon=True).start()
                    return
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
