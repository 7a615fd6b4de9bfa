"""The shape of JSON answers: which keys, of which JSON types, learnt from recorded samples.

A key found in every sample at a place is required there, a key found in some is optional,
and a key found in none is unknown. A simulator's answer is checked against the shape learnt
from the fixtures, so a fake that drifts from the platform's documented JSON is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


@dataclass
class Shape:
    types: set[str] = field(default_factory=set)
    keys: dict[str, "Shape"] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: "Shape | None" = None


def learn(samples: list) -> Shape:
    """The shape that every one of `samples` has."""
    shape = Shape(types={json_type(s) for s in samples})
    objects = [s for s in samples if isinstance(s, dict)]
    if objects:
        names = {name for obj in objects for name in obj}
        shape.keys = {name: learn([obj[name] for obj in objects if name in obj]) for name in names}
        shape.required = {name for name in names if all(name in obj for obj in objects)}
    elements = [e for s in samples if isinstance(s, list) for e in s]
    if elements:
        shape.items = learn(elements)
    return shape


def differences(shape: Shape, value, where: str = "$", excused: frozenset = frozenset()) -> list[str]:
    """Where `value` does not have `shape`: a wrong type, a missing required key (unless its name
    is `excused`), an unknown key."""
    kind = json_type(value)
    if kind not in shape.types:
        return [f"{where}: {kind}, expected {' or '.join(sorted(shape.types))}"]
    found: list[str] = []
    if isinstance(value, dict) and shape.keys:
        found += [f"{where}: no {name!r}" for name in sorted(shape.required - value.keys() - excused)]
        found += [f"{where}: unknown key {name!r}" for name in sorted(value.keys() - shape.keys.keys())]
        for name in value.keys() & shape.keys.keys():
            found += differences(shape.keys[name], value[name], f"{where}.{name}", excused)
    if isinstance(value, list) and shape.items is not None:
        for index, element in enumerate(value):
            found += differences(shape.items, element, f"{where}[{index}]", excused)
    return found
