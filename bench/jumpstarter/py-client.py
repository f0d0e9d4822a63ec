"""The benchmark's Python client: Jumpstarter's own client (jumpstarter.utils.env.env() on
JUMPSTARTER_HOST), doing one case and timing it itself.

    python py-client.py rtt CALLS WARMUP
    python py-client.py serial BYTES CHUNK WARMUP_BYTES
    python py-client.py storage SOURCE_FILE TARGET_FILE

Around the timed part it prints "mark begin" / "mark end" and waits for a line on stdin, so the
benchmark can read the exporter's CPU time at exactly those points. Ends with one line
"result <json>": rtt gives every call's latency in microseconds, serial the transfer's seconds,
storage the seconds of the upload (write_from_path) and of the download (read_into_path), each
between marks of its own.
"""

import json
import os
import sys
import time

import anyio
from jumpstarter.utils.env import env


def mark(name):
    print(f"mark {name}", flush=True)
    if sys.stdin.readline() == "":
        raise SystemExit(f"the benchmark closed stdin while the client waited at mark {name}")


def rtt(client, calls, warmup):
    power = client.power
    for _ in range(warmup):
        power.on()
    latencies = []
    mark("begin")
    previous = time.perf_counter_ns()
    for _ in range(calls):
        power.on()
        now = time.perf_counter_ns()
        latencies.append((now - previous) / 1000)
        previous = now
    mark("end")
    return {"latenciesUs": latencies}


async def loop_through(stream, data, chunk):
    """Writes data in chunks while reading it back; returns what came back."""
    received = bytearray()

    async def writer():
        for offset in range(0, len(data), chunk):
            await stream.send(data[offset : offset + chunk])

    async with anyio.create_task_group() as group:
        group.start_soon(writer)
        while len(received) < len(data):
            received += await stream.receive()
    return received


def serial(client, total, chunk, warmup_bytes):
    data = os.urandom(total)
    warmup = data[:warmup_bytes]

    async def run():
        async with client.serial.stream_async("connect") as stream:
            if bytes(await loop_through(stream, warmup, chunk)) != warmup:
                raise RuntimeError("serial warm-up: the bytes read back differ from those written")
            mark("begin")
            started = time.perf_counter()
            received = await loop_through(stream, data, chunk)
            seconds = time.perf_counter() - started
            mark("end")
            if bytes(received) != data:
                raise RuntimeError(f"serial: {len(received)} bytes read back differ from the {total} written")
            return seconds

    return {"seconds": client.portal.call(run)}


def storage(client, source, target):
    files = client.tftp.storage
    mark("begin")
    started = time.perf_counter()
    files.write_from_path(REMOTE_FILE, source)
    upload = time.perf_counter() - started
    mark("end")
    mark("begin")
    started = time.perf_counter()
    files.read_into_path(REMOTE_FILE, target)
    download = time.perf_counter() - started
    mark("end")
    return {"uploadS": upload, "downloadS": download}


REMOTE_FILE = "bench.bin"


def main():
    mode, *args = sys.argv[1:]
    with env() as client:
        if mode == "rtt":
            result = rtt(client, *[int(n) for n in args])
        elif mode == "serial":
            result = serial(client, *[int(n) for n in args])
        elif mode == "storage":
            result = storage(client, *args)
        else:
            raise SystemExit(f"unknown mode {mode}: rtt, serial or storage")
    print("result " + json.dumps(result), flush=True)


try:
    main()
except Exception as error:
    # One line the benchmark shows, instead of an exception group's traceback.
    print(f"py-client: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    raise SystemExit(1) from None
