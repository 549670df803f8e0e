"""A strict RFC 6455 client for conformance testing, on raw sockets (standard library only).

It writes whatever bytes a case asks for (bad frames included), in whatever TCP chops the
case asks for, and it reads the server's side strictly: every server frame is checked
against RFC 6455 section 5 and a violation fails the case at once. Reading yields events:

    ("message", opcode, payload)   a complete data message (fragments joined, section 5.4)
    ("ping", payload) / ("pong", payload)
    ("close", code_or_None, reason_bytes)
    ("eof",)                       the server closed its sending side (TCP FIN)
    ("reset",)                     the connection was reset (TCP RST)

Every wait is bounded by the case's deadline, so a hung server fails one case.
"""

import base64
import hashlib
import os
import select
import socket
import time

import pmdeflate

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
OP_NAMES = {0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}


class CaseFailed(Exception):
    """A case's expectation was not met; the message says what happened instead."""


# ---- UTF-8 (RFC 3629 section 4, Unicode table 3-7) ----------------------------------------

def _second_byte_range(lead):
    """Allowed range of the byte after `lead`, or None when `lead` cannot start a sequence."""
    if 0xC2 <= lead <= 0xDF:
        return 0x80, 0xBF, 1
    if lead == 0xE0:
        return 0xA0, 0xBF, 2
    if 0xE1 <= lead <= 0xEC or lead in (0xEE, 0xEF):
        return 0x80, 0xBF, 2
    if lead == 0xED:
        return 0x80, 0x9F, 2  # no UTF-16 surrogates
    if lead == 0xF0:
        return 0x90, 0xBF, 3  # no overlong 4-byte forms
    if 0xF1 <= lead <= 0xF3:
        return 0x80, 0xBF, 3
    if lead == 0xF4:
        return 0x80, 0x8F, 3  # nothing above U+10FFFF
    return None


def first_invalid_utf8(data):
    """Index of the first byte at which `data` can no longer be a prefix of valid UTF-8,
    len(data) when it is a valid prefix ending inside a sequence, None when it is valid.
    This is the byte where a fail-fast validator must stop."""
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        rng = _second_byte_range(b)
        if rng is None:
            return i
        lo, hi, more = rng
        for k in range(1, more + 1):
            if i + k >= n:
                return n
            c = data[i + k]
            if k == 1 and not lo <= c <= hi:
                return i + k
            if k > 1 and not 0x80 <= c <= 0xBF:
                return i + k
        i += more + 1
    return None


def is_utf8(data):
    """Whole-message check at C speed: Python's strict UTF-8 codec rejects overlong forms,
    surrogates and code points above U+10FFFF, as RFC 3629 does."""
    try:
        bytes(data).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# ---- frames (RFC 6455 section 5.2) ---------------------------------------------------------

def apply_mask(payload, key):
    """XOR `payload` with the 4-byte `key` repeated (section 5.3)."""
    n = len(payload)
    if n == 0:
        return b""
    if key[0] == key[1] == key[2] == key[3]:  # one byte-wise table lookup, at C speed
        return bytes(payload).translate(bytes(b ^ key[0] for b in range(256)))
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


# Payloads from this size up are masked with a random key of four equal bytes, which Python
# applies 20x faster. Key rotation across TCP reads is still exercised by every smaller
# frame (9.3-9.6 and 10 carry up to 1 MiB per frame in small chops with full random keys).
BIG_PAYLOAD = 4 << 20


def frame(opcode, payload=b"", fin=True, rsv=0, masked=True, key=None):
    """One frame as bytes. `rsv` is the 3-bit RSV field (4 = RSV1, 2 = RSV2, 1 = RSV3)."""
    payload = bytes(payload)
    head = bytearray([(0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)])
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n < 126:
        head.append(mbit | n)
    elif n < 65536:
        head.append(mbit | 126)
        head += n.to_bytes(2, "big")
    else:
        head.append(mbit | 127)
        head += n.to_bytes(8, "big")
    if not masked:
        return bytes(head) + payload
    if key is None:
        key = os.urandom(1) * 4 if n >= BIG_PAYLOAD else os.urandom(4)
    return bytes(head) + key + apply_mask(payload, key)


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    return code.to_bytes(2, "big") + (reason.encode() if isinstance(reason, str) else reason)


def fragments(opcode, payload, size):
    """`payload` as a fragmented message of frames carrying `size` bytes each (section 5.4)."""
    if len(payload) <= size:
        return [frame(opcode, payload)]
    out = []
    for start in range(0, len(payload), size):
        piece = payload[start:start + size]
        op = opcode if start == 0 else OP_CONT
        out.append(frame(op, piece, fin=start + size >= len(payload)))
    return out


def valid_close_code(code):
    """Close codes a peer may put on the wire (section 7.4, IANA registry)."""
    return (1000 <= code <= 1003) or (1007 <= code <= 1014) or (3000 <= code <= 4999)


# ---- connection ----------------------------------------------------------------------------

class Conn:
    """Owns one client socket, its receive buffer and the message being assembled."""

    def __init__(self, host, port, path, timeout, offers=None):
        """`offers`: permessage-deflate offers (pmdeflate.Offer) to make, in order; None: no
        Sec-WebSocket-Extensions, and the server must answer none."""
        self.offers = offers
        self.deflate = None  # pmdeflate.Codec once an offer was accepted
        self.agreement = None
        self.msg_compressed = False
        self.deadline = time.monotonic() + timeout
        self.host, self.port, self.path = host, port, path
        self.buf = bytearray()
        self.eof = False
        self.reset = False
        self.write_failed = False
        self.msg_op = None
        self.msg_parts = []
        self.msg_len = 0
        self.close_received = False
        self.close_sent = False
        self.sock = socket.create_connection((host, port), timeout=self.remaining())
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self._handshake()

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise CaseFailed("case timed out")
        return left

    def extend(self, seconds):
        self.deadline = max(self.deadline, time.monotonic() + seconds)

    def close_socket(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- handshake (section 4.1 client requirements, 4.2.2 server response) --
    def _handshake(self):
        key = base64.b64encode(os.urandom(16))
        request = (b"GET " + self.path.encode() + b" HTTP/1.1\r\n"
                   b"Host: " + f"{self.host}:{self.port}".encode() + b"\r\n"
                   b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   b"Sec-WebSocket-Key: " + key + b"\r\n"
                   b"Sec-WebSocket-Version: 13\r\n")
        if self.offers:
            request += (b"Sec-WebSocket-Extensions: " +
                        ", ".join(o.header_value() for o in self.offers).encode() + b"\r\n")
        request += b"\r\n"
        self.send(request)
        while b"\r\n\r\n" not in self.buf:
            try:
                more = self._fill(self.remaining())
            except TimeoutError:
                raise CaseFailed("handshake: no response in time") from None
            if not more:
                raise CaseFailed("handshake: connection closed before the response")
            if len(self.buf) > 16384:
                raise CaseFailed("handshake: response head too long")
        end = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[:end]
        lines = head.split("\r\n")
        status = lines[0].split(" ")
        if len(status) < 2 or status[1] != "101":
            raise CaseFailed(f"handshake: expected 101, got {lines[0]!r}")
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            raise CaseFailed("handshake: wrong Sec-WebSocket-Accept")
        if "websocket" not in fields.get("upgrade", "").lower():
            raise CaseFailed("handshake: no Upgrade: websocket")
        if "upgrade" not in fields.get("connection", "").lower():
            raise CaseFailed("handshake: no Connection: upgrade")
        if "sec-websocket-extensions" in fields:
            if not self.offers:
                raise CaseFailed("handshake: server accepted an extension that was not offered")
            try:
                self.agreement = pmdeflate.check_answer(fields["sec-websocket-extensions"], self.offers)
            except pmdeflate.Failed as e:
                raise CaseFailed(f"handshake: {e}") from None
            self.deflate = pmdeflate.Codec(self.agreement)

    # -- writing --
    def send(self, data, chop=None):
        """Write `data`, each `chop` bytes in its own send() call. Reads whatever arrives
        meanwhile so neither side can block the other. A write the server refused (it closed
        the connection) is recorded, not raised: the reads that follow tell the story."""
        if self.write_failed:
            return False
        view = memoryview(bytes(data))
        step = chop or len(view) or 1
        for start in range(0, len(view), step):
            piece = view[start:start + step]
            while len(piece):
                r, w, _ = select.select([self.sock] if not self.eof else [], [self.sock], [],
                                        self.remaining())
                if r:
                    self._recv_some()
                if w:
                    try:
                        sent = self.sock.send(piece)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        self.write_failed = True
                        return False
                    piece = piece[sent:]
        return True

    def send_frames(self, frames, mode="whole"):
        """mode: "whole" (one write), "frames" (one write per frame), "octets" (one write per
        byte), or an int (writes of that many bytes)."""
        if mode == "whole":
            return self.send(b"".join(frames))
        if mode == "frames":
            for f in frames:
                self.send(f)
            return not self.write_failed
        return self.send(b"".join(frames), chop=1 if mode == "octets" else mode)

    def compressed_frames(self, opcode, payload, fragment=0):
        """`payload` compressed with our side of the agreement (RFC 7692 section 7.2.1), as one
        frame or frames of `fragment` bytes; RSV1 on the first only (section 6.1)."""
        data = self.deflate.compress(bytes(payload))
        if not fragment or len(data) <= fragment:
            return [frame(opcode, data, rsv=4)]
        out = []
        for start in range(0, len(data), fragment):
            out.append(frame(opcode if start == 0 else OP_CONT, data[start:start + fragment],
                             fin=start + fragment >= len(data), rsv=4 if start == 0 else 0))
        return out

    def send_close(self, code=None, reason=b""):
        self.close_sent = True
        return self.send(frame(OP_CLOSE, close_payload(code, reason)))

    # -- reading --
    def _recv_some(self):
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return True
        except ConnectionResetError:
            self.reset = True
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _fill(self, timeout):
        """Wait up to `timeout` for more bytes; False on EOF/reset, raises on timeout."""
        if self.eof:
            return False
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            raise TimeoutError
        return self._recv_some()

    def _need(self, n, timeout):
        while len(self.buf) < n:
            if not self._fill(timeout):
                return False
        return True

    def _read_frame(self, timeout):
        """One server frame (fin, rsv, opcode, payload), or "eof"/"reset"."""
        if not self._need(2, timeout):
            if self.buf:
                raise CaseFailed(f"connection ended inside a frame ({len(self.buf)} bytes left)")
            return "reset" if self.reset else "eof"
        b0, b1 = self.buf[0], self.buf[1]
        fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF
        if b1 & 0x80:
            raise CaseFailed("server sent a masked frame (section 5.1)")
        n, pos = b1 & 0x7F, 2
        if n == 126:
            if not self._need(4, timeout):
                raise CaseFailed("connection ended inside a frame header")
            n, pos = int.from_bytes(self.buf[2:4], "big"), 4
            if n < 126:
                raise CaseFailed("server used a 16-bit length for a short payload (section 5.2)")
        elif n == 127:
            if not self._need(10, timeout):
                raise CaseFailed("connection ended inside a frame header")
            n, pos = int.from_bytes(self.buf[2:10], "big"), 10
            if n >> 63 or n < 65536:
                raise CaseFailed("server sent a bad 64-bit length (section 5.2)")
        if rsv and not (rsv == 4 and self.deflate is not None):
            raise CaseFailed(f"server set RSV bits {rsv:#x} without an extension (section 5.2)")
        if rsv and (b0 & 0xF) not in (OP_TEXT, OP_BINARY):
            # RFC 7692 section 6.1: RSV1 only on the first frame of a data message
            raise CaseFailed(f"server set RSV1 on a {OP_NAMES.get(b0 & 0xF, 'reserved')} frame (RFC 7692 section 6.1)")
        if opcode not in OP_NAMES:
            raise CaseFailed(f"server sent reserved opcode {opcode:#x} (section 5.2)")
        if opcode >= 8 and (not fin or n > 125):
            raise CaseFailed("server sent a fragmented or oversized control frame (section 5.5)")
        if not self._need(pos + n, timeout):
            raise CaseFailed("connection ended inside a frame payload")
        payload = bytes(self.buf[pos:pos + n])
        del self.buf[:pos + n]
        return fin, rsv, opcode, payload

    def next_event(self, timeout=None):
        """The next event from the server. Raises CaseFailed on a protocol violation and
        TimeoutError when nothing arrives within `timeout` (default: the case deadline)."""
        while True:
            wait = self.remaining() if timeout is None else min(timeout, self.remaining())
            got = self._read_frame(wait)
            if got in ("eof", "reset"):
                if self.msg_op is not None:
                    raise CaseFailed("connection ended inside a fragmented message")
                return (got,)
            fin, rsv, opcode, payload = got
            if self.close_received:
                raise CaseFailed(f"server sent a {OP_NAMES[opcode]} frame after its close (section 5.5.1)")
            if opcode == OP_CLOSE:
                self.close_received = True
                if len(payload) == 1:
                    raise CaseFailed("server sent a 1-byte close payload (section 5.5.1)")
                if not payload:
                    return ("close", None, b"")
                code = int.from_bytes(payload[:2], "big")
                if not valid_close_code(code):
                    raise CaseFailed(f"server sent invalid close code {code} (section 7.4)")
                if not is_utf8(payload[2:]):
                    raise CaseFailed("server's close reason is not UTF-8 (section 5.5.1)")
                return ("close", code, payload[2:])
            if opcode == OP_PING:
                return ("ping", payload)
            if opcode == OP_PONG:
                return ("pong", payload)
            if opcode == OP_CONT:
                if self.msg_op is None:
                    raise CaseFailed("server sent a continuation with no message open (section 5.4)")
            else:
                if self.msg_op is not None:
                    raise CaseFailed("server started a message inside another (section 5.4)")
                self.msg_op = opcode
                self.msg_compressed = rsv == 4
            self.msg_parts.append(payload)
            if fin:
                op, data = self.msg_op, b"".join(self.msg_parts)
                self.msg_op, self.msg_parts = None, []
                if self.msg_compressed:
                    try:
                        data = self.deflate.decompress(data)
                    except pmdeflate.Failed as e:
                        raise CaseFailed(str(e)) from None
                if op == OP_TEXT and not is_utf8(data):
                    raise CaseFailed("server sent a text message that is not UTF-8 (section 8.1)")
                return ("message", op, data)

    # -- expectations --
    def expect(self, what, timeout=None):
        try:
            return self.next_event(timeout)
        except TimeoutError:
            raise CaseFailed(f"timed out waiting for {what}") from None

    def expect_message(self, opcode, payload):
        ev = self.expect(f"the echo of a {OP_NAMES[opcode]} message of {len(payload)} bytes")
        if ev[0] != "message":
            raise CaseFailed(f"expected the echo, got {describe(ev)}")
        if ev[1] != opcode:
            raise CaseFailed(f"echo has opcode {OP_NAMES[ev[1]]}, expected {OP_NAMES[opcode]}")
        if ev[2] != payload:
            raise CaseFailed(f"echo differs: {len(ev[2])} bytes back for {len(payload)} sent"
                             f"{first_difference(ev[2], payload)}")

    def expect_pong(self, payload):
        ev = self.expect(f"a pong with {len(payload)} bytes")
        if ev[0] != "pong":
            raise CaseFailed(f"expected a pong, got {describe(ev)}")
        if ev[1] != payload:
            raise CaseFailed(f"pong payload differs from the ping's ({len(ev[1])} vs {len(payload)} bytes)")

    def expect_fail(self, code, timeout=None, what=None):
        """The server fails the connection: its next frame is a close with `code` (nothing
        before it). We answer the close like a well-behaved client (section 5.5.1) and the
        server must then close the TCP connection (section 7.1.1)."""
        ev = self.expect(what or f"a close {code}", timeout)
        if ev[0] != "close":
            raise CaseFailed(f"expected close {code}, got {describe(ev)}")
        if ev[1] != code:
            raise CaseFailed(f"expected close {code}, got close {ev[1]}")
        if not self.close_sent:
            self.send_close(code)
        self.expect_tcp_close()

    def expect_tcp_close(self):
        """After the closing handshake the server closes the TCP connection (section 7.1.1).
        A reset is accepted as well as a FIN: the handshake itself has completed."""
        ev = self.expect("the server to close the TCP connection")
        if ev[0] not in ("eof", "reset"):
            raise CaseFailed(f"expected the TCP connection to close, got {describe(ev)}")

    def close_normally(self, code=1000, reason=b""):
        """Client-initiated close; the server echoes the code and reason, then closes TCP."""
        self.send_close(code, reason)
        ev = self.expect("the close reply")
        if ev[0] != "close":
            raise CaseFailed(f"expected the close reply, got {describe(ev)}")
        if ev[1] != code or ev[2] != reason:
            raise CaseFailed(f"close reply {ev[1]} {ev[2][:40]!r}, expected {code} {reason[:40]!r}")
        self.expect_tcp_close()


def describe(ev):
    kind = ev[0]
    if kind == "message":
        return f"a {OP_NAMES[ev[1]]} message of {len(ev[2])} bytes"
    if kind in ("ping", "pong"):
        return f"a {kind} of {len(ev[1])} bytes"
    if kind == "close":
        return f"close {ev[1]} {ev[2][:40]!r}"
    return {"eof": "the TCP connection closed (no close frame)", "reset": "a TCP reset"}[kind]


def first_difference(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return f", first difference at byte {i}"
    return ""
