#!/usr/bin/env python3
"""A canned Docker Engine API on a unix socket that answers at once, to measure a client's own
cost (bench/PROFILE.md, "create, third round"):

    bench/fake-engine.py /tmp/fake.sock harden-test/busybox:1 &
    DOCKER_HOST=unix:///tmp/fake.sock hyperfine -N \
        'harden create harden-test/busybox:1 true' 'docker create harden-test/busybox:1 true'

It records `/info`, `/version` and the image's inspect from the real engine
(/var/run/docker.sock) at start, then answers `/_ping`, those three and `POST
/containers/create` (a made-up id) from memory; anything else is a 404.
"""
import asyncio
import email.utils
import json
import os
import re
import socket
import sys

REAL = "/var/run/docker.sock"


def fetch(path):
    """GET `path` from the real engine (HTTP/1.0: the body ends with the connection)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(REAL)
    s.sendall(f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.0 200") and not head.startswith(b"HTTP/1.1 200"):
        sys.exit(f"fake-engine: GET {path}: {head.splitlines()[0].decode()}")
    return body.strip()


def response(status, body, ctype=b"application/json", head_only=False):
    h = (
        b"HTTP/1.1 " + status + b"\r\nApi-Version: 1.41\r\nDocker-Experimental: false\r\n"
        b"Ostype: linux\r\nServer: Docker/fake (linux)\r\nDate: "
        + email.utils.formatdate(usegmt=True).encode()
        + b"\r\nContent-Type: " + ctype
        + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    return h if head_only else h + body


async def main(sock, image):
    canned = {
        "/info": fetch("/info"),
        "/version": fetch("/version"),
        f"/images/{image}/json": fetch(f"/images/{image}/json"),
    }
    created = 0

    async def handle(reader, writer):
        nonlocal created
        try:
            while line := await reader.readline():
                method, path, _ = line.decode().split(" ", 2)
                length = 0
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode().partition(":")
                    if k.lower() == "content-length":
                        length = int(v.strip())
                if length:
                    await reader.readexactly(length)
                p = re.sub(r"^/v[0-9.]+", "", path.split("?")[0])
                if p == "/_ping":
                    out = response(b"200 OK", b"OK", b"text/plain; charset=utf-8", method == "HEAD")
                elif p in canned:
                    out = response(b"200 OK", canned[p])
                elif p == "/containers/create" and method == "POST":
                    created += 1
                    body = json.dumps({"Id": f"{created:064x}", "Warnings": []}).encode()
                    out = response(b"201 Created", body)
                else:
                    out = response(b"404 Not Found", b'{"message":"not in fake-engine.py"}')
                writer.write(out)
                await writer.drain()
        finally:
            writer.close()

    if os.path.exists(sock):
        os.unlink(sock)
    server = await asyncio.start_unix_server(handle, sock)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: bench/fake-engine.py SOCKET IMAGE")
    asyncio.run(main(sys.argv[1], sys.argv[2]))
