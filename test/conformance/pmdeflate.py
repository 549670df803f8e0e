"""permessage-deflate (RFC 7692) for the conformance client: the offer, a strict check of
the server's answer, and the client's compressor and inflater (Python's zlib, raw DEFLATE).

    offer = Offer(client_no_context_takeover=True, client_max_window_bits=True)
    agreed = check_answer(value_of_the_servers_header, offer)   # raises CaseFailed
    codec = Codec(agreed)
    payload = codec.compress(message)          # section 7.2.1: 00 00 ff ff removed
    message = codec.decompress(payload)        # section 7.2.2: 00 00 ff ff appended
"""

import zlib

TRAILER = b"\x00\x00\xff\xff"  # section 7.2.1: the empty stored block a sync flush ends with


class Failed(Exception):
    """The server's answer or data broke RFC 7692; the message names the rule."""


class Offer:
    """One permessage-deflate offer (section 7.1). Autobahn's PerMessageDeflateOffer names:
    acceptNoContextTakeover = client_no_context_takeover, acceptMaxWindowBits =
    client_max_window_bits, requestNoContextTakeover = server_no_context_takeover,
    requestMaxWindowBits = server_max_window_bits=N (0: not sent)."""

    def __init__(self, client_no_context_takeover=True, client_max_window_bits=True,
                 server_no_context_takeover=False, server_max_window_bits=0):
        self.client_no_context_takeover = client_no_context_takeover
        self.client_max_window_bits = client_max_window_bits
        self.server_no_context_takeover = server_no_context_takeover
        self.server_max_window_bits = server_max_window_bits

    def header_value(self):
        parts = ["permessage-deflate"]
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.client_max_window_bits:
            parts.append("client_max_window_bits")
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.server_max_window_bits:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        return "; ".join(parts)

    def describe(self):
        return (f"(requestNoContextTakeover, requestMaxWindowBits) = "
                f"({self.server_no_context_takeover}, {self.server_max_window_bits})")


class Agreement:
    def __init__(self):
        self.server_no_context_takeover = False
        self.client_no_context_takeover = False
        self.server_max_window_bits = 15
        self.client_max_window_bits = 15

    def __str__(self):
        return (f"server_no_context_takeover={self.server_no_context_takeover} "
                f"client_no_context_takeover={self.client_no_context_takeover} "
                f"server_max_window_bits={self.server_max_window_bits} "
                f"client_max_window_bits={self.client_max_window_bits}")


def _bits(value, name):
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] == '"':
        v = v[1:-1]
    if not v.isdigit() or v != str(int(v)) or not 8 <= int(v) <= 15:
        raise Failed(f"{name}={value!r}: not 8..15 (section 7.1.2)")
    return int(v)


def check_answer(value, offers):
    """The agreement in the server's Sec-WebSocket-Extensions `value` for one of `offers`
    (sections 5, 7.1). Raises Failed on any rule the answer breaks."""
    elements = [e.strip() for e in value.split(",") if e.strip()]
    if len(elements) != 1:
        raise Failed(f"the answer has {len(elements)} extensions (section 5: exactly one accepted offer)")
    params = [p.strip() for p in elements[0].split(";")]
    if params[0] != "permessage-deflate":
        raise Failed(f"the server accepted {params[0]!r}, which was not offered (RFC 6455 section 9.1)")
    a = Agreement()
    seen = set()
    client_bits_given = False
    for p in params[1:]:
        name, eq, val = p.partition("=")
        name = name.strip()
        if name in seen:
            raise Failed(f"{name} twice in the answer (section 7.1)")
        seen.add(name)
        if name in ("server_no_context_takeover", "client_no_context_takeover"):
            if eq:
                raise Failed(f"{name} with a value (section 7.1.1)")
            setattr(a, name, True)
        elif name == "server_max_window_bits":
            a.server_max_window_bits = _bits(val, name)
        elif name == "client_max_window_bits":
            a.client_max_window_bits = _bits(val, name)
            client_bits_given = True
        else:
            raise Failed(f"unknown parameter {name!r} in the answer (section 7.1)")
    # The answer must fit one of the offers (section 7.1.1.1, 7.1.2.1, 7.1.2.2).
    why = []
    for o in offers:
        if o.server_no_context_takeover and not a.server_no_context_takeover:
            why.append("server_no_context_takeover was asked for and is missing (7.1.1.1)")
        elif o.server_max_window_bits and a.server_max_window_bits > o.server_max_window_bits:
            why.append("server_max_window_bits above the offer's (7.1.2.1)")
        elif client_bits_given and not o.client_max_window_bits:
            why.append("client_max_window_bits though the offer had none (7.1.2.2)")
        else:
            return a
    raise Failed("the answer fits no offer: " + "; ".join(why))


class Codec:
    """The client's side of an agreement: our compressor within client_max_window_bits,
    reset per message when client_no_context_takeover; our inflater within
    server_max_window_bits, reset per message when server_no_context_takeover."""

    def __init__(self, agreement, level=6):
        self.a = agreement
        self.level = level
        self._deflater = None
        self._inflater = None

    def _new_deflater(self):
        bits = self.a.client_max_window_bits
        if bits < 9:  # zlib compresses raw DEFLATE within 9..15 bits: stored blocks (no distances)
            return zlib.compressobj(0, zlib.DEFLATED, -9)
        return zlib.compressobj(self.level, zlib.DEFLATED, -bits)

    def compress(self, message):
        if self._deflater is None or self.a.client_no_context_takeover:
            self._deflater = self._new_deflater()
        out = self._deflater.compress(message) + self._deflater.flush(zlib.Z_SYNC_FLUSH)
        if not out.endswith(TRAILER):
            raise Failed("zlib's sync flush did not end with 00 00 ff ff")
        return out[:-4]

    def decompress(self, payload, limit=None):
        if self._inflater is None or self.a.server_no_context_takeover:
            # Inflating within exactly the agreed window: a distance beyond it is an error.
            self._inflater = zlib.decompressobj(-self.a.server_max_window_bits)
        try:
            out = self._inflater.decompress(payload + TRAILER)
        except zlib.error as e:
            raise Failed(f"the server's compressed message does not inflate: {e}") from None
        if self._inflater.unused_data:
            raise Failed("bytes after the final DEFLATE block in the server's message")
        return out
