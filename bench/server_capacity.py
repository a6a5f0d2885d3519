"""The reference server's own capacity: requests per second under a plain load loop.

The suite must not be limited by the server it tests; this measures what the embedded
reference answers per second on this machine, with no suite logic in the way. Run by hand:

    .venv/bin/python bench/server_capacity.py [--seconds 5] [--threads 8]
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx

from ticonf.client.samples import png_data_url
from ticonf.reference.server import running_server

AUTH = ("ticonf", "ticonf-secret")


def load(base_url: str, model_id: str, stop_at: float, counts: list[int]) -> None:
    with httpx.Client(base_url=base_url, auth=AUTH) as http:
        done = 0
        while time.perf_counter() < stop_at:
            added = http.post(
                f"/models/{model_id}/training-images", json={"data": png_data_url(done)}
            ).json()["trainingImage"]["id"]
            http.delete(f"/models/{model_id}/training-images/{added}")
            http.get(f"/models/{model_id}")
            done += 3
        counts.append(done)


def measure(seconds: float, threads: int) -> float:
    with running_server() as server, httpx.Client(base_url=server.base_url, auth=AUTH) as http:
        model_id = http.post("/models", json={}).json()["model"]["id"]
        counts: list[int] = []
        stop_at = time.perf_counter() + seconds
        workers = [
            threading.Thread(target=load, args=(server.base_url, model_id, stop_at, counts))
            for _ in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    rate = measure(args.seconds, args.threads)
    print(f"reference server capacity: {rate:.0f} requests/s ({args.threads} client threads)")


if __name__ == "__main__":
    main()
