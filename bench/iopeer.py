#!/usr/bin/env python3
"""The network peer of bench/linux/xio.c: a TCP server on the host's
loopback that a guest reaches through QEMU's user-mode network (at
10.0.2.2, QEMU's alias for the host). The first byte of a connection says
what to do:
  S  sink: read to the end, then answer the byte count (8 bytes, LE)
  G  source: read a time budget (4 bytes, LE, ms), send for that long,
     close
  R  echo: answer every byte with one byte (request/response)
  L  log: text to the end (a guest's results), kept in Peer.logs
  B  barrier: answer one byte once `parties` connections are waiting
     (guests that start each test together: xio -s)

  python3 bench/iopeer.py [PORT]      (standalone, for trying xio by hand)
"""
import socket
import struct
import sys
import threading
import time

CHUNK = 256 * 1024


def _recv_exact(conn, n):
    b = b""
    while len(b) < n:
        part = conn.recv(n - len(b))
        if not part:
            raise ConnectionError("peer closed")
        b += part
    return b


def _serve(conn, peer):
    with conn:
        try:
            mode = _recv_exact(conn, 1)
            if mode == b"S":
                n = 0
                trace = [(time.monotonic(), 0)]
                peer.sinks.append(trace)
                while True:
                    b = conn.recv(CHUNK)
                    if not b:
                        break
                    n += len(b)
                    trace.append((time.monotonic(), n))
                conn.sendall(struct.pack("<Q", n))
            elif mode == b"G":
                ms = struct.unpack("<I", _recv_exact(conn, 4))[0]
                data = b"\xa5" * CHUNK
                end = time.monotonic() + ms / 1000.0
                while time.monotonic() < end:
                    conn.sendall(data)
            elif mode == b"L":
                text = b""
                while True:
                    b = conn.recv(CHUNK)
                    if not b:
                        break
                    text += b
                peer.logs.append(text.decode(errors="replace"))
            elif mode == b"B":
                peer.barrier()
                conn.sendall(b"!")
            elif mode == b"R":
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while True:
                    b = conn.recv(1)
                    if not b:
                        break
                    conn.sendall(b)
        except (ConnectionError, OSError):
            pass


class Peer:
    """Serves on 127.0.0.1:port (0: any free port) until close()."""

    def __init__(self, port=0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.parties = 1
        self.logs = []
        self.releases = []  # when each barrier let its parties go
        self.sinks = []  # per S connection: [(time, bytes so far)]
        self._cond = threading.Condition()
        self._waiting = 0
        self._generation = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=_serve, args=(conn, self),
                             daemon=True).start()

    def barrier(self, timeout=600):
        """Return when `parties` callers are here (or after timeout)."""
        with self._cond:
            gen = self._generation
            self._waiting += 1
            if self._waiting >= self.parties:
                self._waiting = 0
                self._generation += 1
                self.releases.append(time.monotonic())
                self._cond.notify_all()
                return
            self._cond.wait_for(lambda: self._generation != gen, timeout)

    def close(self):
        self.sock.close()


if __name__ == "__main__":
    p = Peer(int(sys.argv[1]) if len(sys.argv) > 1 else 5201)
    print("iopeer on 127.0.0.1:%d" % p.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        p.close()
