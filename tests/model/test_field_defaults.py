"""The configuration classes declare their defaults on their fields, as plain dataclasses do
(``lc.Function.timeout_s``, ``dataclasses.fields(lc.Function)``), and each declared default
is exactly what an object built without that argument holds: the constructor's signature and
the fields cannot drift apart."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

import lambda_core as lc

#: Each class with the arguments it cannot do without.
CLASSES: list[tuple[type, dict[str, Any]]] = [
    (lc.Account, {}),
    (lc.Function, {"name": "f"}),
    (lc.RetryPolicy, {}),
    (lc.KinesisStream, {"name": "s"}),
    (lc.DynamoDBStream, {"name": "table"}),
    (lc.SqsQueue, {"name": "q"}),
    (lc.BatchDuration, {}),
]
# EventSourceMapping declares the constructor's defaults (None: "the kind's default") while an
# object stores the value resolved for its source's kind, so it is not listed here.


@pytest.mark.parametrize(("cls", "required"), CLASSES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_optional_field_declares_the_default_an_object_gets(cls: type, required: dict[str, Any]) -> None:
    built = cls(**required)
    signature = inspect.signature(cls)
    for field in dataclasses.fields(cls):
        if field.name in required:
            continue
        assert signature.parameters[field.name].default is not inspect.Parameter.empty, field.name
        assert field.default is not dataclasses.MISSING, f"{cls.__name__}.{field.name} declares no default"
        stored = getattr(built, field.name)
        assert field.default == stored and type(field.default) is type(stored), (field.name, field.default, stored)
        assert getattr(cls, field.name) == stored
