"""One Lambda function's configuration (docs/model.md §9), validated the way AWS validates it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from .. import _messages as msg
from .. import _validation as v
from .._messages import FUNCTION_NAME_PATTERN
from ..errors import EngineLimitError, InvalidParameterValueException
from ._frozen import assign
from .deployment import check_package
from .distributions import Distribution, LogNormal, as_seconds_or_distribution
from .vpc import VpcConfig

__all__ = [
    "Function",
    "FUNCTION_NAME_PATTERN",
    "FUNCTION_NAME_MAX_LENGTH",
    "ENVIRONMENT_LIMIT_BYTES",
    "INIT_LIMIT_S",
    "BARE_NAME",
    "ARCHITECTURES",
    "TRACING_MODES",
]

#: The names lambda_core accepts: the bare-name part of :data:`FUNCTION_NAME_PATTERN`.
BARE_NAME = re.compile(r"[A-Za-z0-9_-]+")

#: Longest function name accepted (characters).
FUNCTION_NAME_MAX_LENGTH = 64

#: AWS's limit on a function's environment variables: keys + values, in UTF-8 bytes (docs/model.md §9).
ENVIRONMENT_LIMIT_BYTES = 4096

#: Longest init phase of an on-demand environment, in seconds (docs/model.md §9).
INIT_LIMIT_S = 10.0

# AWS's ranges of the fields, in the order AWS lists its validation errors:
# (python name, AWS member, low, high).
_AWS_RANGES: tuple[tuple[str, str, int, int | None], ...] = (
    ("memory_mb", "memorySize", 128, 10240),
    ("timeout_s", "timeout", 1, 900),
    ("reserved_concurrency", "reservedConcurrentExecutions", 0, None),
    ("provisioned_concurrency", "provisionedConcurrentExecutions", 1, None),
    ("max_retry_attempts", "maximumRetryAttempts", 0, 2),
    ("max_event_age_s", "maximumEventAgeInSeconds", 60, 21600),
    ("ephemeral_storage_mb", "ephemeralStorage.size", 512, 10240),
)
_SECONDS = ("timeout_s", "provisioned_ready_s")

#: CreateFunction's ``Architectures`` values, in the order AWS lists them in its message.
ARCHITECTURES = msg.ARCHITECTURES
#: ``TracingConfig.Mode`` values, in the order AWS's model lists them.
TRACING_MODES = msg.TRACING_MODES


@dataclasses.dataclass(frozen=True, init=False)
class Function:
    """One Lambda function's configuration (docs/model.md §9), validated on construction.

    Only ``name`` is positional. Checks, in this order:

    1. wrong Python types → :class:`TypeError` (whole-number fields take ``int`` or numpy
       integers, never ``bool`` or ``float``; second fields take ints or floats;
       ``architecture`` a ``str`` or a list or tuple of ``str``, ``tracing`` a ``str``);
    2. a non-finite ``timeout_s``, ``init_s``, ``idle_timeout_s``, ``max_lifetime_s`` or
       ``provisioned_ready_s`` → :class:`~lambda_core.errors.InvalidParameterValueException`
       (a distribution checks its own parameters when made);
    3. every AWS field range at once → one :class:`~lambda_core.errors.ValidationException` in
       AWS's form (``2 validation errors detected: Value ...; Value ...``), the enums
       ``architectures`` and ``tracingConfig.mode`` last;
    4. lambda_core's own ranges (``init_s`` 0–10, every value of its distribution too, or
       a log-normal's median; ``idle_timeout_s``, ``max_lifetime_s``, ``provisioned_ready_s``
       and ``warm_at_start`` ≥ 0), the 4 KB environment limit and provisioned > reserved
       → :class:`~lambda_core.errors.InvalidParameterValueException`; seconds beyond the
       engine's limit (about 285 years) or too many warm environments →
       :class:`~lambda_core.errors.EngineLimitError`.

    Whole numbers are stored as ``int`` and seconds as ``float``, whatever numeric type was
    given.
    """

    #: Function name: 1–64 characters of ``[a-zA-Z0-9-_]``.
    name: str
    #: Memory in MB, 128–10240.
    memory_mb: int = 128
    #: Handler timeout in seconds, 1–900.
    timeout_s: float = 3.0
    #: Reserved concurrency ``RC`` (≥ 0), or ``None`` for no reservation.
    reserved_concurrency: int | None = None
    #: Provisioned concurrency ``PC`` (≥ 1, ≤ ``RC`` when reserved), or ``None``.
    provisioned_concurrency: int | None = None
    #: Init duration of a cold start in seconds, 0–10, or a distribution of them drawn per
    #: cold start (docs/model.md §3.1; ``Fixed`` is stored as its number).
    init_s: float | Distribution = 0.5
    #: Idle environments are reclaimed after this many seconds (≥ 0), or after a keep-alive
    #: drawn per idle period from a distribution (docs/model.md §3.1).
    idle_timeout_s: float | Distribution = 600.0
    #: On-demand environments get no request this many seconds after their birth and are
    #: reclaimed (docs/model.md §3.1); ``None``: they live until idle too long.
    max_lifetime_s: float | None = None
    #: On-demand environments already initialised and idle at time 0 (docs/model.md §3.1).
    warm_at_start: int = 0
    #: Asynchronous retries, 0–2.
    max_retry_attempts: int = 2
    #: Asynchronous maximum event age in seconds, 60–21600.
    max_event_age_s: int = 21600
    #: /tmp size in MB, 512–10240.
    ephemeral_storage_mb: int = 512
    #: Environment variables (str → str), at most 4 KB of keys + values in UTF-8; stored as a
    #: ``dict`` copy. Not part of the hash.
    environment: dict[str, str] | None = dataclasses.field(default=None, hash=False)
    #: Provisioned environments become ready this many seconds after the run starts (≥ 0).
    provisioned_ready_s: float = 0.0
    #: Asynchronous results (docs/model.md §6): where a record of each successful event goes, and
    #: where each dropped one goes (on-failure destination, dead-letter queue; both when both
    #: are set). Names of targets: queues, topics, buses or other functions. Records are
    #: collected per target in ``Result.destinations``; a function named as a target is not
    #: invoked.
    on_success: str | None = None
    on_failure: str | None = None
    dead_letter_queue: str | None = None
    #: The instruction set, ``"x86_64"`` or ``"arm64"`` (CreateFunction's ``Architectures``, a
    #: list of one: a list or tuple of one name is accepted too and stored as that name). It
    #: chooses the price list's column (docs/billing.md); the engine does not use it.
    architecture: str = "x86_64"
    #: X-Ray tracing (``TracingConfig.Mode``): ``"PassThrough"`` (no segments of its own, only
    #: an upstream sampling decision is passed on) or ``"Active"`` (the function samples
    #: requests and records segments of its own).
    tracing: str = "PassThrough"
    #: Its VPC attachment (docs/model.md §13), or ``None``.
    vpc: VpcConfig | None = None
    #: Its code calls the internet: in a VPC without a NAT gateway every attempt hangs until its
    #: timeout (docs/model.md §13).
    needs_internet: bool = False
    #: When it was created, in seconds of simulated time (may be before 0); ``None``: long
    #: before the run. A VPC function is Pending from then until its ENI is ready.
    created_at_s: float | None = None
    #: The deployment package (docs/model.md §14): ``"Zip"`` or ``"Image"``, its size in MB
    #: (the zip uploaded directly, or the image), the unzipped code's and each layer's sizes.
    #: ``None``: not checked.
    package_type: str = "Zip"
    code_size_mb: float | None = None
    unzipped_size_mb: float | None = None
    layer_sizes_mb: tuple[float, ...] = ()

    def __init__(
        self,
        name: str,
        *,
        memory_mb: int = 128,
        timeout_s: float = 3,
        reserved_concurrency: int | None = None,
        provisioned_concurrency: int | None = None,
        init_s: float | Distribution = 0.5,
        idle_timeout_s: float | Distribution = 600,
        max_lifetime_s: float | None = None,
        warm_at_start: int = 0,
        max_retry_attempts: int = 2,
        max_event_age_s: int = 21600,
        ephemeral_storage_mb: int = 512,
        environment: Mapping[str, str] | None = None,
        provisioned_ready_s: float = 0.0,
        on_success: str | None = None,
        on_failure: str | None = None,
        dead_letter_queue: str | None = None,
        architecture: str | Sequence[str] = "x86_64",
        tracing: str = "PassThrough",
        vpc: VpcConfig | None = None,
        needs_internet: bool = False,
        created_at_s: float | None = None,
        package_type: str = "Zip",
        code_size_mb: float | None = None,
        unzipped_size_mb: float | None = None,
        layer_sizes_mb: Sequence[float] = (),
    ) -> None:
        # 1. types (and normalisation to plain int / float)
        if not isinstance(name, str):
            raise TypeError(f"Function.name must be a str, got {v.describe(name)}")
        memory = v.require_int("Function", "memory_mb", memory_mb)
        rc = v.optional_int("Function", "reserved_concurrency", reserved_concurrency)
        pc = v.optional_int("Function", "provisioned_concurrency", provisioned_concurrency)
        retries = v.require_int("Function", "max_retry_attempts", max_retry_attempts)
        age = v.require_int("Function", "max_event_age_s", max_event_age_s)
        storage = v.require_int("Function", "ephemeral_storage_mb", ephemeral_storage_mb)
        given_seconds = (timeout_s, provisioned_ready_s)
        seconds = {
            f: v.require_real("Function", f, value) for f, value in zip(_SECONDS, given_seconds)
        }
        init_d = as_seconds_or_distribution("Function", "init_s", init_s)
        keep_d = as_seconds_or_distribution("Function", "idle_timeout_s", idle_timeout_s)
        lifetime = v.optional_real("Function", "max_lifetime_s", max_lifetime_s)
        warm = v.require_int("Function", "warm_at_start", warm_at_start)
        env = _check_environment(environment)
        architectures = _check_architectures(architecture)
        mode = v.require_str("Function", "tracing", tracing)
        if vpc is not None and not isinstance(vpc, VpcConfig):
            raise TypeError(f"Function.vpc must be a VpcConfig or None, got {v.describe(vpc)}")
        internet = v.require_bool("Function", "needs_internet", needs_internet)
        created = v.optional_real("Function", "created_at_s", created_at_s)
        targets = {
            f: v.optional_target("Function", f, value)
            for f, value in (
                ("on_success", on_success),
                ("on_failure", on_failure),
                ("dead_letter_queue", dead_letter_queue),
            )
        }

        # 2. non-finite seconds (no AWS request can carry them)
        for f, value in seconds.items():
            v.require_finite("Function", f, value)
        given: tuple[tuple[str, float | Distribution | None], ...] = (
            ("init_s", init_d), ("idle_timeout_s", keep_d), ("max_lifetime_s", lifetime),
            ("created_at_s", created))
        for f, maybe in given:
            if isinstance(maybe, float):
                v.require_finite("Function", f, maybe)

        # 3. AWS's field ranges, all at once; values shown as given (an int timeout as an int)
        items = v.name_items(
            name, "functionName", BARE_NAME, FUNCTION_NAME_PATTERN, 1, FUNCTION_NAME_MAX_LENGTH
        )
        checked: dict[str, tuple[float | None, object]] = {
            "memory_mb": (memory, memory_mb),
            "timeout_s": (seconds["timeout_s"], timeout_s),
            "reserved_concurrency": (rc, reserved_concurrency),
            "provisioned_concurrency": (pc, provisioned_concurrency),
            "max_retry_attempts": (retries, max_retry_attempts),
            "max_event_age_s": (age, max_event_age_s),
            "ephemeral_storage_mb": (storage, ephemeral_storage_mb),
        }
        for f, member, low, high in _AWS_RANGES:
            number, raw = checked[f]
            if number is not None:
                items += v.range_item(number, v.aws_value(raw), member, low, high)
        if len(architectures) != 1 or architectures[0] not in ARCHITECTURES:
            items.append(msg.architectures_item(architectures))
        if mode not in TRACING_MODES:
            items.append(msg.tracing_mode_item(mode))
        v.raise_items(items)

        # 4. lambda_core's own ranges, then AWS's service-side checks
        # a log-normal init is capped at the limit when drawn (docs/model.md §3.1): its median
        # must be within it
        init_high = init_d if isinstance(init_d, float) else (
            init_d.median_s if isinstance(init_d, LogNormal) else init_d.high_s)
        if not 0 <= init_high <= INIT_LIMIT_S:
            raise InvalidParameterValueException(
                f"Function.init_s must be between 0 and {INIT_LIMIT_S:g} seconds "
                f"(the init phase limit), got {init_d!r}"
            )
        if isinstance(keep_d, float):
            seconds["idle_timeout_s"] = keep_d
        if lifetime is not None:
            seconds["max_lifetime_s"] = lifetime
        for f in ("idle_timeout_s", "provisioned_ready_s", "max_lifetime_s"):
            if f not in seconds:
                continue
            if seconds[f] < 0:
                raise InvalidParameterValueException(
                    f"Function.{f} must be at least 0 seconds, got {seconds[f]!r}"
                )
            v.engine_limit(f"function {name!r}", f, seconds[f], "seconds")
        if warm < 0:
            raise InvalidParameterValueException(
                f"Function.warm_at_start must be at least 0, got {warm!r}")
        v.engine_limit(f"function {name!r}", "warm_at_start", warm, "warm_at_start")
        if env is not None and _environment_size(env) > ENVIRONMENT_LIMIT_BYTES:
            raise InvalidParameterValueException(msg.environment_too_large(env))
        if rc is not None and pc is not None and pc > rc:
            raise InvalidParameterValueException(msg.PC_ABOVE_RC)
        if name in (on_success, on_failure):
            raise InvalidParameterValueException(msg.SELF_DESTINATION)
        if created is not None and abs(created) > v.limit("seconds").max:
            bound = v.limit("seconds")
            raise EngineLimitError(
                f"function {name!r}: created_at_s={created!r} is beyond lambda_core's limit of "
                f"±{bound.max} {bound.what}")
        package = check_package(package_type, code_size_mb, unzipped_size_mb, layer_sizes_mb)

        assign(
            self,
            name=name,
            memory_mb=memory,
            timeout_s=seconds["timeout_s"],
            reserved_concurrency=rc,
            provisioned_concurrency=pc,
            init_s=init_d,
            idle_timeout_s=keep_d,
            max_lifetime_s=lifetime,
            warm_at_start=warm,
            max_retry_attempts=retries,
            max_event_age_s=age,
            ephemeral_storage_mb=storage,
            environment=env,
            provisioned_ready_s=seconds["provisioned_ready_s"],
            **targets,
            architecture=architectures[0],
            tracing=mode,
            vpc=vpc,
            needs_internet=internet,
            created_at_s=created,
            package_type=package[0],
            code_size_mb=package[1],
            unzipped_size_mb=package[2],
            layer_sizes_mb=package[3],
        )

    @property
    def hangs(self) -> bool:
        """Its attempts hang until the timeout: it needs the internet from a VPC without NAT."""
        return self.needs_internet and self.vpc is not None and not self.vpc.nat_gateway


def _check_architectures(architecture: object) -> tuple[str, ...]:
    """AWS's ``Architectures`` list: a plain name is the list of that one name."""
    if isinstance(architecture, str):
        return (architecture,)
    if isinstance(architecture, (list, tuple)) and all(isinstance(a, str) for a in architecture):
        return tuple(architecture)
    raise TypeError(
        "Function.architecture must be a str ('x86_64' or 'arm64') or a list of one, "
        f"got {v.describe(architecture)}"
    )


def _check_environment(environment: object) -> dict[str, str] | None:
    if environment is None:
        return None
    if not isinstance(environment, Mapping):
        raise TypeError(
            f"Function.environment must be a mapping of str to str or None, "
            f"got {v.describe(environment)}"
        )
    copy: dict[str, str] = {}
    for key, value in environment.items():
        if not isinstance(key, str):
            raise TypeError(f"Function.environment keys must be str, got {v.describe(key)}")
        if not isinstance(value, str):
            raise TypeError(
                f"Function.environment[{key!r}] must be a str, got {v.describe(value)}"
            )
        copy[key] = value
    return copy


def _environment_size(environment: Mapping[str, str]) -> int:
    """Keys + values in UTF-8 bytes (docs/model.md §9)."""
    return sum(
        len(key.encode("utf-8", "surrogatepass")) + len(value.encode("utf-8", "surrogatepass"))
        for key, value in environment.items()
    )
