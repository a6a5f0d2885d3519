"""The "Observed choices" of a report: what the target did where the documentation is silent.

The suites record observations by topic (`observe(topic, value)`); report.json keeps them all
under `observations`. This module picks the topics that are open points of the documentation
and phrases each as one line a reader understands at once: "Replace: new ID", "malformed JSON:
422", "null for optional fields: accepted". A topic not in the table stays in the raw list only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ticonf.core.records import ObservedBehaviour

Values = list[Any]


def _distinct(values: Values) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value or '"" (empty)'
    if isinstance(value, list):
        return ", ".join(map(_text, value)) if value else "none"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def plain(values: Values) -> str:
    """Each distinct value, most frequent first (the order observed_behaviours gives)."""
    return "; ".join(_text(v) for v in _distinct(values))


def statuses(values: Values) -> str:
    codes = sorted({v for v in values if isinstance(v, int)})
    return " or ".join(map(str, codes)) if codes else plain(values)


def keyed(values: Values) -> str:
    """Values of the form {case: answer}: one answer for every case, or the answer by case."""
    by_case: dict[str, list[Any]] = {}
    for value in values:
        for case, answer in value.items() if isinstance(value, dict) else [("", value)]:
            by_case.setdefault(case, []).append(answer)
    answers = _distinct([a for answers in by_case.values() for a in answers])
    if len(answers) == 1:
        return _text(answers[0])
    return "; ".join(f"{case}: {plain(answers)}" for case, answers in sorted(by_case.items()))


def leniency(values: Values) -> str:
    """{case: "refused" | "accepted (200)"}: accepted or refused as a whole, or by case."""
    by_case = {case: answer for v in values if isinstance(v, dict) for case, answer in v.items()}
    accepted = sorted(c for c, a in by_case.items() if str(a).startswith("accepted"))
    if not accepted:
        return "refused"
    if len(accepted) == len(by_case):
        return "accepted"
    return f"accepted ({', '.join(accepted)}), otherwise refused"


def mapping(table: dict[Any, str]) -> Callable[[Values], str]:
    def phrase(values: Values) -> str:
        return "; ".join(table.get(v, _text(v)) for v in _distinct(values))

    return phrase


def batch_refusal(values: Values) -> str:
    """{"status", "count"} of a batch naming an unknown asset: refused whole, or partly added."""
    phrases = []
    for value in _distinct(values):
        status, count = (
            (value.get("status"), value.get("count")) if isinstance(value, dict) else (0, 0)
        )
        refused = isinstance(status, int) and 400 <= status < 500
        phrases.append(
            f"refused ({status}), nothing added"
            if refused and count == 0
            else f"{status}, {count} image(s) added"
        )
    return "; ".join(phrases)


KEEPS_ID = mapping({True: "keeps the ID", False: "new ID"})
FATE = mapping({"kept": "kept", "removed": "removed", "follow the new ID": "follow the new ID"})

# topic -> (label, phrasing of the values seen)
CHOICES: dict[str, tuple[str, Callable[[Values], str]]] = {
    "replace-keeps-id": ("Replace", KEEPS_ID),
    "Replace keeps the image ID": ("Replace (stateful run)", KEEPS_ID),
    "replace-old-id-after-new-id": ("Replace: the old ID afterwards", statuses),
    "pairs-after-delete": ("Pairs of a deleted image", FATE),
    "pairs-after-replace": ("Pairs of a replaced image", FATE),
    "pairs-order": ("Replace Pairs: order of the pairs", plain),
    "pairs-self-pair-status": ("Replace Pairs: a self-pair", statuses),
    "pairs-repeated-couple-status": ("Replace Pairs: a repeated couple", statuses),
    "count-type": ("Replace Pairs: count written as", mapping({"int": "2", "float": "2.0"})),
    "add-batch-response-keys": ("Batch Add: response fields", plain),
    "add-batch-with-unknown-asset": ("Batch Add with an unknown asset", batch_refusal),
    "add-asset-name": ("Add by assetId: the image's name", plain),
    "add-default-name": ("Add without a name: the image's name", plain),
    "delete-body-fields": ("Delete: response fields", plain),
    "id-format": ("ID format", plain),
    "created-at-format": ("createdAt format", plain),
    "download-url-form": ("downloadUrl", plain),
    "training-image-extra-fields": ("TrainingImage: extra fields", plain),
    "error-body-fields": ("Error body fields", plain),
    "content-encoding": ("Compression", plain),
    "connection": ("Connection", plain),
    "malformed-json-status": ("malformed JSON", statuses),
    "no-credentials-status": ("no credentials", statuses),
    "wrong-secret-status": ("wrong API secret", statuses),
    "unknown-asset-status": ("unknown assetId", statuses),
    "unknown-model-status": ("unknown modelId", statuses),
    "unknown-image-status": ("unknown trainingImageId", statuses),
    "deleted-image-status": ("deleted image", statuses),
    "foreign-image-status": ("another model's image", statuses),
    "foreign-pair-status": ("pair naming a foreign image", statuses),
    "not-found-status": ("missing resources in the path", keyed),
    "null-for-optional-fields": ("null for optional fields", leniency),
    "wrong-json-types": ("wrong JSON types", leniency),
    "other-methods-status": ("other methods on .../training-images", keyed),
}


def observed_choices(observations: list[ObservedBehaviour]) -> list[dict[str, Any]]:
    """One entry per open point the run observed, in the table's order:
    {"topic", "label", "choice", "observations"} (how many observations it sums up)."""
    by_topic = {topic["topic"]: topic["values"] for topic in observations}
    choices = []
    for topic, (label, phrase) in CHOICES.items():
        seen = by_topic.get(topic)
        if not seen:
            continue
        values = [entry["value"] for entry in seen]
        choices.append(
            {
                "topic": topic,
                "label": label,
                "choice": phrase(values),
                "observations": sum(entry["count"] for entry in seen),
            }
        )
    return choices
