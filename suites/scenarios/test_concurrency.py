"""Concurrent requests on one scratch model: no lost update, no mixed state, one winner.

Every other test sends one request at a time, so a server that reads, computes and writes back
without a lock passes all of them. Here a few requests (8 in the quick profile, 16 in the full
one) leave together, released by a barrier, on a model the test created; each burst is bounded
by the run's request timeout. The concurrency used is recorded in the report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ticonf.client.api import ApiClient
from ticonf.core.catalog import check
from ticonf.run import state as run_state

from .realistic import unordered
from .support import (
    check_count,
    check_no_server_error,
    image_count,
    json_body,
    pairs_view,
    stored_pairs,
    valid_body,
)

BARRIER_TIMEOUT_S = 30


def concurrency() -> int:
    return 16 if run_state.current().context.profile == "full" else 8


def burst(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call in its own thread, all released at once; the responses in call order."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(released, calls))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [response.status_code for response in responses]


def no_server_errors(responses: list[httpx.Response], action: str) -> None:
    for response in responses:
        check_no_server_error(response, action)


def add_call(api: ApiClient, model_id: str, index: int) -> Callable[[], httpx.Response]:
    return lambda: api.add(model_id, valid_body(f"ticonf-concurrent-{index}.png", seed=index))


@pytest.mark.req("CONC-001")
def test_simultaneous_adds_each_add_an_image(api, provision, model_id, observe) -> None:
    count = concurrency()
    observe("concurrency", {"operation": "add", "simultaneous": count})
    responses = burst([add_call(api, model_id, index) for index in range(count)])
    action = f"{count} simultaneous Adds"
    no_server_errors(responses, action)
    accepted = [json_body(r) for r in responses if r.status_code == 200]
    observe("concurrent-add-statuses", statuses(responses))
    ids = [body.get("trainingImage", {}).get("id") for body in accepted if isinstance(body, dict)]
    check(
        len(set(ids)) == len(accepted),
        "CONC-001",
        f"{action}: {len(accepted)} answered 200 but gave {len(set(ids))} distinct IDs: {ids!r}",
    )
    check_count(provision, model_id, len(accepted), "CONC-001", f"after {action}")


def pair_lists(image_ids: list[str], count: int) -> list[list[dict[str, str]]]:
    """`count` different lists of three pairs each over the same images."""
    couples = [(0, 1), (1, 2), (2, 3)]
    return [
        [
            {
                "sourceId": image_ids[s],
                "targetId": image_ids[t],
                "instruction": f"list {k}, pair {j}",
            }
            for j, (s, t) in enumerate(couples)
        ]
        for k in range(count)
    ]


@pytest.mark.req("CONC-002")
def test_concurrent_pair_replacements_leave_one_list(api, provision, model_id, observe) -> None:
    count = concurrency()
    observe("concurrency", {"operation": "replace-pairs", "simultaneous": count})
    image_ids = provision.image_ids(model_id, 4)
    lists = pair_lists(image_ids, count)
    responses = burst([lambda pairs=pairs: api.replace_pairs(model_id, pairs) for pairs in lists])
    action = f"{count} simultaneous Replace Pairs of different lists"
    no_server_errors(responses, action)
    observe("concurrent-pairs-statuses", statuses(responses))
    answered = [
        (sent, pairs_view((json_body(r) or {}).get("pairs")))
        for sent, r in zip(lists, responses, strict=True)
        if r.status_code == 200
    ]
    stored = stored_pairs(provision, model_id)
    check(
        any(unordered(stored) == unordered(sent) == unordered(got) for sent, got in answered),
        "CONC-002",
        f"{action}: the stored pairs are none of the lists answered 200 (or differ from that "
        f"request's response); stored {stored!r}",
    )


@pytest.mark.req("CONC-003", "DELETE-002")
def test_concurrent_deletes_of_one_image_succeed_once(api, provision, model_id, observe) -> None:
    count = concurrency()
    observe("concurrency", {"operation": "delete", "simultaneous": count})
    doomed, _kept = provision.image_ids(model_id, 2)
    responses = burst([lambda: api.delete(model_id, doomed) for _ in range(count)])
    action = f"{count} simultaneous Deletes of image {doomed}"
    no_server_errors(responses, action)
    seen = statuses(responses)
    observe("concurrent-delete-statuses", seen)
    remaining = image_count(provision, model_id)
    check(
        remaining == 1,
        "DELETE-002",
        f"{action} (the model had 2 images): trainingImagesNumber is {remaining!r}, expected 1",
    )
    refused = [status for status in seen if 400 <= status < 500]
    check(
        seen.count(200) == 1 and len(refused) == count - 1,
        "CONC-003",
        f"{action}: expected exactly one 200 and {count - 1} refusals (4xx), got {sorted(seen)}",
    )
