#!/usr/bin/env python3
"""A loopback HTTP(S) server with scripted faults, for the Uplink client tests.

It binds 127.0.0.1 on a free port, prints the port on one line of stdout, then serves until
its stdin reaches end of file, which happens when the test closes the pipe or dies. A
signal is not used to stop it, because a child of the test process may inherit SIGTERM
blocked. Each connection is handled by one mode:

  echo    reply with --status and a JSON body describing the request received
          (method, path, headers, body), or with --body when given
  silent  read the request and never reply, holding the connection open
  reset   read the request, then close with SO_LINGER 0 so the client sees a TCP RST
  close   read the request, then close normally without replying

With --cert and --key the server speaks TLS. A client that rejects the certificate
aborts the handshake, which the server ignores.
"""

import argparse
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time


def read_request(conn):
    """Reads one HTTP/1.1 request; returns (request line, headers, body) or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return lines[0], headers, body


def handle(conn, args, context):
    try:
        if context is not None:
            conn = context.wrap_socket(conn, server_side=True)
        request = read_request(conn)
        if request is None:
            return
        request_line, headers, body = request

        if args.mode == "silent":
            time.sleep(3600)
            return
        if args.mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if args.mode == "close":
            return

        method, path, _ = request_line.split(" ", 2)
        if args.body is not None:
            payload = args.body.encode()
        else:
            payload = json.dumps(
                {"method": method, "path": path, "headers": headers, "body": body.decode("utf-8", "replace")},
                ensure_ascii=False,
            ).encode()
        extra = "".join(f"{header}\r\n" for header in args.header)
        response = (
            f"HTTP/1.1 {args.status} Status\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        ).encode() + payload
        conn.sendall(response)
    except (ssl.SSLError, ConnectionError, OSError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["echo", "silent", "reset", "close"], default="echo")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--body")
    parser.add_argument("--header", action="append", default=[], help="an extra response header line")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)

    def exit_at_end_of_input():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=exit_at_end_of_input, daemon=True).start()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn, args, context), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
