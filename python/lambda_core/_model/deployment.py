"""Deployment-package limits (docs/model.md §14), checked when a ``Function`` is made: the zip
uploaded directly, the unzipped code with its layers, the layer count, and container images.
Sizes are in MB of 2**20 bytes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import _messages as msg
from .. import _validation as v
from ..errors import InvalidParameterValueException, RequestEntityTooLargeException

__all__ = [
    "PACKAGE_TYPES",
    "ZIP_DIRECT_UPLOAD_LIMIT_MB",
    "UNZIPPED_LIMIT_MB",
    "LAYERS_LIMIT",
    "IMAGE_LIMIT_MB",
    "check_package",
]

#: CreateFunction's ``PackageType`` values.
PACKAGE_TYPES = ("Zip", "Image")
#: A zip uploaded directly (not from S3).
ZIP_DIRECT_UPLOAD_LIMIT_MB = 50
#: The unzipped code and all its layers (262 144 000 bytes).
UNZIPPED_LIMIT_MB = 250
#: Layers a function may reference.
LAYERS_LIMIT = 5
#: A container image (10 GB).
IMAGE_LIMIT_MB = 10 * 1024
#: Bytes in a MB.
MB = 2**20


def check_package(
    package_type: object,
    code_size_mb: object,
    unzipped_size_mb: object,
    layer_sizes_mb: object,
) -> tuple[str, float | None, float | None, tuple[float, ...]]:
    """The package's settings, checked in AWS's order; returns them normalised."""
    if not isinstance(package_type, str):
        raise TypeError(f"Function.package_type must be a str, got {v.describe(package_type)}")
    if package_type not in PACKAGE_TYPES:
        raise InvalidParameterValueException(
            f"Function.package_type must be {v.either([repr(p) for p in PACKAGE_TYPES])}, "
            f"got {package_type!r}"
        )
    code = _size("code_size_mb", code_size_mb)
    unzipped = _size("unzipped_size_mb", unzipped_size_mb)
    if isinstance(layer_sizes_mb, (str, bytes)) or not isinstance(layer_sizes_mb, Sequence):
        raise TypeError(
            f"Function.layer_sizes_mb must be a list or tuple of numbers, got {v.describe(layer_sizes_mb)}"
        )
    layers = tuple(_size("layer_sizes_mb", s) or 0.0 for s in layer_sizes_mb)
    if package_type == "Image":
        if layers:
            raise InvalidParameterValueException(msg.IMAGE_LAYERS)
        if code is not None and code > IMAGE_LIMIT_MB:
            raise InvalidParameterValueException(msg.image_too_large(IMAGE_LIMIT_MB * MB))
        return package_type, code, unzipped, layers
    if code is not None and code > ZIP_DIRECT_UPLOAD_LIMIT_MB:
        # the request carries the zip in base64: 4 bytes for every 3
        raise RequestEntityTooLargeException(msg.code_too_large(math.ceil(ZIP_DIRECT_UPLOAD_LIMIT_MB * MB * 4 / 3)))
    if len(layers) > LAYERS_LIMIT:
        raise InvalidParameterValueException(msg.too_many_layers(LAYERS_LIMIT))
    if (unzipped or 0.0) + sum(layers) > UNZIPPED_LIMIT_MB:
        raise InvalidParameterValueException(msg.unzipped_too_large(UNZIPPED_LIMIT_MB * MB))
    return package_type, code, unzipped, layers


def _size(field: str, value: object) -> float | None:
    size = v.optional_real("Function", field, value)
    if size is not None and not (math.isfinite(size) and size >= 0):
        raise InvalidParameterValueException(
            f"Function.{field} must be a finite number of MB, at least 0, got {size!r}"
        )
    return size
