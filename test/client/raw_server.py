#!/usr/bin/python3
"""A WebSocket server that breaks RFC 6455 on purpose, written on plain sockets, for the client
suite (test/client/run.sh). Listens on 127.0.0.1, a free port, and prints "PORT n" once ready.

  /bad-accept   answers 101 with a Sec-WebSocket-Accept computed from the wrong key (§4.1 item 4)
  /masked       answers a correct 101, then sends a masked text frame (§5.1: a client must fail)
  /silent       reads the request and never answers (the client's handshake timeout)
  /extension    answers 101 with an extension the client did not offer (§4.1 item 5)
"""

import base64
import hashlib
import socket
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_of(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def serve(conn):
    with conn:
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = head.split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        key = headers.get("sec-websocket-key", "")
        ok = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              f"Sec-WebSocket-Accept: {accept_of(key)}\r\n")
        if path == "/bad-accept":
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Accept: {accept_of(key + 'x')}\r\n\r\n").encode())
        elif path == "/masked":
            conn.sendall((ok + "\r\n").encode())
            mask = b"\x01\x02\x03\x04"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(b"masked by the server"))
            conn.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + payload)
        elif path == "/extension":
            conn.sendall((ok + "Sec-WebSocket-Extensions: x-unknown\r\n\r\n").encode())
        elif path == "/silent":
            time.sleep(5)
            return
        # Read until the client closes (it waits for us after a close frame; we close after 2 s).
        end = time.time() + 2
        conn.settimeout(0.1)
        while time.time() < end:
            try:
                if not conn.recv(4096):
                    return
            except socket.timeout:
                pass


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
