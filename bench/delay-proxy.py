#!/usr/bin/env python3
"""A TCP proxy on loopback that adds latency: every chunk is forwarded DELAY_MS after it arrived, in each
direction, so a request and its response cost 2 x DELAY_MS more (a 20 ms round trip with --delay-ms 10). A new
connection also waits one round trip before its first byte is forwarded, as a TCP handshake over such a link
would. Bandwidth is not limited: chunks are queued with their arrival time, not sent one round trip at a time.

Usage: bench/delay-proxy.py --upstream HOST:PORT [--delay-ms 10]
Prints the port it listens on (127.0.0.1) on the first line of stdout, then serves until killed.
"""
import argparse
import asyncio
import sys
import time


async def pump(reader, writer, delay, start_after):
    """Reads chunks as they come and writes each one `delay` seconds after it arrived."""
    queue = asyncio.Queue()

    async def send():
        await asyncio.sleep(max(0.0, start_after - time.monotonic()))
        while True:
            arrived, data = await queue.get()
            wait = arrived + delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    sender = asyncio.ensure_future(send())
    try:
        while True:
            data = await reader.read(65536)
            await queue.put((time.monotonic(), data))
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()
        writer.close()


async def serve(upstream_host, upstream_port, delay):
    async def handle(client_reader, client_writer):
        handshake_done = time.monotonic() + 2 * delay
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, upstream_writer, delay, handshake_done),
            pump(upstream_reader, client_writer, delay, handshake_done),
            return_exceptions=True,
        )
        for w in (client_writer, upstream_writer):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True, help="HOST:PORT")
    p.add_argument("--delay-ms", type=float, default=10.0, help="added delay in each direction")
    a = p.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    try:
        asyncio.run(serve(host, int(port), a.delay_ms / 1000))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
