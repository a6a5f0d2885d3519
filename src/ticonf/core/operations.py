"""The four documented operations (spec/openapi.yaml), each defined once: name, method, path.

Everything that sends, recognises or describes one of them (the client, the schemathesis
half, coverage, problems, replay, the catalog) takes it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

MODEL_ID = "modelId"
IMAGE_ID = "trainingImageId"


@dataclass(frozen=True)
class Operation:
    name: str  # as requirements.yaml and report.json name it
    method: str  # upper case
    path: str  # the openapi.yaml path template, below the /v1 prefix
    title: str  # how a problem's title names it

    @property
    def route(self) -> tuple[str, str]:
        """(method, path template): how schemathesis identifies the operation."""
        return (self.method, self.path)

    @property
    def addresses_image(self) -> bool:
        return "{" + IMAGE_ID + "}" in self.path

    def path_for(self, model_id: str, image_id: str | None = None) -> str:
        """The concrete path: the template with the IDs put in as given (not quoted)."""
        if self.addresses_image and image_id is None:
            raise ValueError(f"{self.name} needs a training image ID")
        return self.path.format_map({MODEL_ID: model_id, IMAGE_ID: image_id})

    def matches(self, method: str, path: str) -> bool:
        """Whether a request (its path below /v1, empty segments ignored) calls this operation."""
        template = [s for s in self.path.split("/") if s]
        concrete = [s for s in path.split("/") if s]
        return (
            method.upper() == self.method
            and len(concrete) == len(template)
            and all(t.startswith("{") or t == c for t, c in zip(template, concrete, strict=True))
        )


ADD = Operation("add", "POST", "/models/{modelId}/training-images", "Add an image")
REPLACE_PAIRS = Operation(
    "replace-pairs", "PUT", "/models/{modelId}/training-images/pairs", "Replace all pairs"
)
REPLACE = Operation(
    "replace", "PUT", "/models/{modelId}/training-images/{trainingImageId}", "Replace one image"
)
DELETE = Operation(
    "delete", "DELETE", "/models/{modelId}/training-images/{trainingImageId}", "Delete one image"
)
# In the order of the documentation; REPLACE_PAIRS before REPLACE, whose template also
# matches a .../pairs path.
OPERATIONS = (ADD, REPLACE_PAIRS, REPLACE, DELETE)
OPERATION_NAMES = tuple(operation.name for operation in OPERATIONS)


def operation_named(name: str) -> Operation:
    """The operation a requirement or a report names ("add", "replace-pairs", ...)."""
    for operation in OPERATIONS:
        if operation.name == name:
            return operation
    raise KeyError(name)


def operation_called(method: str, path: str) -> Operation | None:
    """The documented operation a request called, or None (a fixture endpoint, say)."""
    return next((op for op in OPERATIONS if op.matches(method, path)), None)
