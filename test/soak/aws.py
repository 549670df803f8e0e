"""A small asyncio WebSocket client for the soak scenarios (standard library only).

Enough of RFC 6455's client role to upgrade, send masked frames (whole, split or trickled),
read the server's frames and see its close code. Strictness is the conformance suite's job;
this one only has to be cheap enough to hold thousands of connections in one process.
"""

import asyncio
import base64
import os
import socket
import struct

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode, payload, fin=True, mask=True):
    """One client frame: FIN/opcode, the length in its shortest form, a random mask."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head.append(bit | n)
    elif n < 65536:
        head.append(bit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(bit | 127)
        head += struct.pack("!Q", n)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    body = bytes(b ^ key[i & 3] for i, b in enumerate(payload)) if n < 4096 else _mask_fast(payload, key)
    return bytes(head) + key + body


def _mask_fast(payload, key):
    n = len(payload)
    k = int.from_bytes(key * ((n + 3) // 4), "little")
    return (int.from_bytes(payload, "little") ^ (k & ((1 << (8 * n)) - 1))).to_bytes(n, "little")


def upgrade_request(port, path):
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def reset(writer):
    """Closes with an RST instead of a FIN (SO_LINGER {on, 0}): an abrupt vanish."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def read_frame(reader):
    """(fin, opcode, payload) of the server's next frame; raises IncompleteReadError at EOF."""
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    payload = await reader.readexactly(n) if n else b""
    return bool(b0 & 0x80), b0 & 0x0F, payload


async def read_message(reader):
    """The next data message (opcode, payload), or ('close', code) for a close frame;
    pings are skipped (the server's idle pings)."""
    parts, first = [], None
    while True:
        fin, op, payload = await read_frame(reader)
        if op == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            return "close", code
        if op in (OP_PING, OP_PONG):
            continue
        if first is None:
            first = op
        parts.append(payload)
        if fin:
            return first, b"".join(parts)


class Ws:
    """One upgraded connection: reader, writer, and what followed the 101 in the buffer."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port, path, timeout=10, rcvbuf=None):
        """rcvbuf: a small receive buffer set before connecting, so that a client that stops
        reading fills the kernel's buffers quickly and the server's queue takes the rest."""
        sock = None
        if rcvbuf is not None:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=sock)
        else:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        writer.write(upgrade_request(port, path))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        if not head.startswith(b"HTTP/1.1 101"):
            writer.close()
            raise ConnectionError("no 101: " + head.split(b"\r\n", 1)[0].decode(errors="replace"))
        return cls(reader, writer)

    def send(self, opcode, payload, fin=True):
        self.writer.write(frame(opcode, payload, fin))

    async def close_handshake(self, code=1000, timeout=5):
        """Sends our close, reads to the server's close and its FIN; the server's code or None."""
        self.writer.write(frame(OP_CLOSE, struct.pack("!H", code)))
        got = None
        try:
            while True:
                kind, value = await asyncio.wait_for(read_message(self.reader), timeout)
                if kind == "close":
                    got = value
                    break
            await asyncio.wait_for(self.reader.read(), timeout)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
            pass
        self.writer.close()
        return got
