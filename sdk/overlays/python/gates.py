# Hand-written (sdk/overlays/python); the generator copies it into the package and exports it.
"""
Deployment gates: fail ``pulumi preview`` / ``pulumi up`` when online-client statistics break
limits, naming every offending account (or instance) and the instance.

A limit means what it means in the Node.js SDK, the statistics resource, the policy pack and the
``smartag-stats`` CLI: a count *above* the limit breaks it, a name listed twice is judged once by
its highest count, and the total limit is held against ``total_online_count``. Per-account
statistics (``user_statistics``) are judged per account; instance totals (``statistics``, from
``get_sag_online_client_statistics``) per instance.
"""

from dataclasses import dataclass
from typing import Any, Mapping, Optional, TypedDict, TypeVar, Union, overload

import pulumi

__all__ = [
    "InstanceToGate",
    "LimitViolation",
    "OnlineLimits",
    "OnlineLimitsError",
    "assert_online_limits",
    "find_limit_violations",
    "require_nobody_online",
]

T = TypeVar("T")


class OnlineLimits(TypedDict, total=False):
    """Limits to hold statistics to. Unset limits are not checked."""

    max_online_per_user: int
    """The most clients one client account may have online at once."""
    max_online_per_instance: int
    """The most clients one instance may have online at once (judged on instance totals)."""
    max_total_online: int
    """The most clients all the listed accounts (or instances) may have online together."""
    require_none_online: bool
    """Require nobody online at all, e.g. before tearing an instance down."""


@dataclass(frozen=True)
class LimitViolation:
    """
    One broken limit: ``kind`` is the name of the limit; ``user_name`` names the account, or
    ``smart_ag_id`` the instance, and both are None for the total.
    """

    kind: str
    online_count: int
    limit: int
    user_name: Optional[str] = None
    smart_ag_id: Optional[str] = None


class OnlineLimitsError(pulumi.RunError):
    """
    The statistics break the limits. A ``pulumi.RunError``, so a deployment it ends shows its
    message alone: one line per offending account with count and limit, under the instance.
    When the statistics were secret, account names and the instance show as ``[secret]``.
    """

    def __init__(self, stats: Any, violations: list[LimitViolation], secret: bool = False):
        if secret:
            violations = [
                LimitViolation(v.kind, v.online_count, v.limit,
                               v.user_name and "[secret]", v.smart_ag_id and "[secret]")
                for v in violations
            ]
        instances = _instances(stats)
        ids = {_get(s, "smart_ag_id") for s in instances or []}
        self.violations = violations
        self.smart_ag_id: Optional[str] = (
            "[secret]" if secret
            else _get(stats, "smart_ag_id") if instances is None
            else next(iter(ids)) if len(ids) == 1
            else None
        )
        self.region_id: Optional[str] = None if secret else _get(stats, "region_id")
        where = " ".join(
            p for p in (self.smart_ag_id, self.region_id and f"({self.region_id})") if p)
        heading = f"SAG instance {where or '(unknown)'}"
        if instances is not None and len(ids) != 1 and not secret:
            count = f"{len(ids)} " if len(ids) > 1 else ""
            heading = f"{count}SAG instances" + (f" ({self.region_id})" if self.region_id else "")
        super().__init__(_format(heading, violations))


def _get(obj: Any, name: str) -> Any:
    # Result types offer snake_case properties; plain dicts use snake_case keys.
    if hasattr(obj, name):
        return getattr(obj, name)
    return obj.get(name) if isinstance(obj, Mapping) else None


def _instances(stats: Any) -> Optional[list]:
    # Instance totals carry ``statistics``; per-account statistics ``user_statistics``.
    found = _get(stats, "statistics")
    return found if isinstance(found, (list, tuple)) else None


def _check_limits(limits: Mapping[str, Any], stats: Any = None) -> Mapping[str, Any]:
    # JSON and JavaScript cannot tell 3 from 3.0, so neither does this; True is not a number.
    problems = [
        f"{key} must be a whole number of at least 0 (got {limits[key]!r})"
        for key in ("max_online_per_user", "max_online_per_instance", "max_total_online")
        if limits.get(key) is not None
        and not (
            isinstance(limits[key], (int, float))
            and not isinstance(limits[key], bool)
            and float(limits[key]).is_integer()
            and limits[key] >= 0
        )
    ]
    none = limits.get("require_none_online")
    if none is not None and not isinstance(none, bool):
        problems.append(f"require_none_online must be True or False (got {none!r})")
    known = {"max_online_per_user", "max_online_per_instance", "max_total_online",
             "require_none_online"}
    problems += [f"{key} is not a limit" for key in sorted(set(limits) - known)]
    if stats is not None and _instances(stats) is not None \
            and limits.get("max_online_per_user") is not None:
        problems.append(
            "max_online_per_user must have per-account counts to judge, and these are instance"
            " totals: judge get_user_online_client_statistics, which reads every account of the"
            " instance when user_names is omitted")
    if stats is not None and _instances(stats) is None \
            and limits.get("max_online_per_instance") is not None:
        problems.append(
            "max_online_per_instance must have instance totals to judge, and these are"
            " per-account counts: judge get_sag_online_client_statistics, or use max_total_online")
    if problems:
        raise pulumi.RunError(f"invalid limits: {'; '.join(problems)}")
    return limits


def find_limit_violations(stats: Any, limits: OnlineLimits) -> list[LimitViolation]:
    """
    Every limit the statistics break, accounts (or instances) in result order (a name listed
    twice is reported once, with its highest count), then the total.

    :param stats: per-account statistics with ``user_statistics`` (``user_name``,
        ``online_count``), or instance totals with ``statistics`` (``smart_ag_id``,
        ``online_count``), and ``total_online_count``, as attributes or dict keys.
    :param limits: the limits; unset ones are not checked.
    :raises pulumi.RunError: when a limit is not a whole number of at least 0, or cannot be
        judged on these statistics.
    """
    _check_limits(limits, stats)
    instances = _instances(stats)
    key = "smart_ag_id" if instances is not None else "user_name"
    highest: dict[str, int] = {}
    for entry in (instances if instances is not None else _get(stats, "user_statistics") or []):
        name, count = _get(entry, key), _get(entry, "online_count")
        if name not in highest or count > highest[name]:
            highest[name] = count
    each = "max_online_per_instance" if instances is not None else "max_online_per_user"
    per_each, total = limits.get(each), limits.get("max_total_online")
    violations = []
    for name, count in highest.items():
        who = {key: name}
        if limits.get("require_none_online") and count > 0:
            violations.append(LimitViolation("require_none_online", count, 0, **who))
        elif per_each is not None and count > per_each:
            violations.append(LimitViolation(each, count, int(per_each), **who))
    online = _get(stats, "total_online_count")
    if total is not None and online > total:
        violations.append(LimitViolation("max_total_online", online, int(total)))
    return violations


def _format(heading: str, violations: list[LimitViolation]) -> str:
    lines = []
    for v in violations:
        who = v.user_name or v.smart_ag_id
        if v.kind == "max_online_per_user":
            lines.append(f"  - {who}: {v.online_count} online, limit {v.limit} per user")
        elif v.kind == "max_online_per_instance":
            lines.append(f"  - {who}: {v.online_count} online, limit {v.limit} per instance")
        elif v.kind == "require_none_online":
            lines.append(f"  - {who}: {v.online_count} online, none allowed")
        else:
            lines.append(f"  - total: {v.online_count} online, limit {v.limit}")
    plural = "" if len(violations) == 1 else "s"
    return f"{heading}: {len(violations)} limit violation{plural}:\n" + "\n".join(lines)


def _judge(stats: T, limits: Mapping[str, Any], secret: bool = False) -> T:
    violations = find_limit_violations(stats, limits or {})  # type: ignore[arg-type]
    if violations:
        raise OnlineLimitsError(stats, violations, secret)
    return stats


@overload
def assert_online_limits(
    stats: "pulumi.Output[T]", limits: "pulumi.Input[OnlineLimits]"
) -> "pulumi.Output[T]": ...
@overload
def assert_online_limits(
    stats: pulumi.Resource, limits: "pulumi.Input[OnlineLimits]"
) -> "pulumi.Output[dict]": ...
@overload
def assert_online_limits(
    stats: "InstanceToGate", limits: "pulumi.Input[OnlineLimits]",
    opts: Optional[pulumi.InvokeOutputOptions] = None,
) -> "pulumi.Output[Any]": ...
@overload
def assert_online_limits(stats: T, limits: OnlineLimits) -> T: ...
def assert_online_limits(
    stats: Any, limits: Any, opts: Optional[pulumi.InvokeOutputOptions] = None
) -> Any:
    """
    Fails the deployment when the statistics break the limits; returns them otherwise.

    - Plain statistics (the result of ``get_user_online_client_statistics``, or a dict with the
      same snake_case keys) are judged now: raises :class:`OnlineLimitsError`.
    - An ``Output`` (from ``get_user_online_client_statistics_output``) is judged when it resolves;
      the returned ``Output`` fails the deployment, used or not, and keeps secrecy and dependencies.
      Unknown values in a preview are not judged, so a preview never fails falsely.
    - A ``UserOnlineClientStatistics`` resource: its recorded counts are judged on every deployment
      (e.g. after ``pulumi up --refresh``); returns an ``Output`` of a dict of them.
    - A whole instance, ``{"smart_ag_id": ..., "region_id": ...}`` with no counts: the gate reads
      what the limits need, with no list of accounts (``opts`` go to that read). With
      ``max_online_per_user``, every account (``get_user_online_client_statistics_output`` with
      ``user_names`` left out); otherwise the instance's total
      (``get_sag_online_client_statistics_output``, one request), judged by
      ``require_none_online``, ``max_total_online`` and ``max_online_per_instance``.

    Limits known now are checked now, so a typo fails at the call.

    :param stats: the statistics.
    :param limits: ``max_online_per_user``, ``max_online_per_instance``, ``max_total_online``,
        ``require_none_online``.
    :raises OnlineLimitsError: naming every offending account, its count and the limit.

    ```python
    import pulumi_smartag as smartag

    stats = smartag.assert_online_limits(
        smartag.get_user_online_client_statistics_output(
            smart_ag_id="sag-demo0001", user_names=["doctest", "bob.smith"]),
        {"max_online_per_user": 3, "max_total_online": 10},
    )
    ```
    """
    plain_limits = _is_plain(limits)
    if plain_limits:
        _check_limits(limits or {})
    if _is_instance(stats):
        return _gate_instance(stats, limits, plain_limits, opts)
    # An Output lifts every attribute to an Output, so only a non-Output can be a resource here.
    if not isinstance(stats, pulumi.Output) and isinstance(
        _get(stats, "user_statistics"), pulumi.Output
    ):
        names = ("region_id", "smart_ag_id", "user_statistics", "total_online_count")
        stats = pulumi.Output.all(**{n: getattr(stats, n) for n in names})
    if not isinstance(stats, pulumi.Output) and plain_limits:
        return _judge(stats, limits)
    checked: pulumi.Output[Any] = pulumi.Output.from_input(stats)
    limits_out = pulumi.Output.from_input(limits)

    async def gate(s: Any, l: Any) -> Any:
        return _judge(s, l, await checked.is_secret())

    # apply skips its callback while a value is unknown, which keeps previews honest; a failed
    # Output fails the deployment even if the program never uses it.
    return checked.apply(lambda s: limits_out.apply(lambda l: gate(s, l)))


def require_nobody_online(stats: Any, opts: Optional[pulumi.InvokeOutputOptions] = None) -> Any:
    """
    Fails the deployment while any listed account (or instance) has a client online: the gate to
    put before tearing a SAG instance down. The same as :func:`assert_online_limits` with
    ``{"require_none_online": True}``. Given a whole instance, ``{"smart_ag_id": ...}``, it reads
    the instance's total itself, so no account is missed. ``pulumi destroy`` runs no program, so
    no gate: remove the instance from the program and run ``pulumi up`` with the gate still in it.

    ```python
    import pulumi_smartag as smartag

    smartag.require_nobody_online({"smart_ag_id": "sag-demo0001", "region_id": "cn-shanghai"})
    smartag.require_nobody_online(smartag.get_user_online_client_statistics_output(
        smart_ag_id="sag-demo0001", user_names=["doctest"]))
    ```
    """
    return assert_online_limits(stats, {"require_none_online": True}, opts)


class InstanceToGate(TypedDict, total=False):
    """A whole SAG APP instance, for a gate that reads its total itself."""

    smart_ag_id: "pulumi.Input[str]"
    region_id: "pulumi.Input[str]"


def _gate_instance(instance: Any, limits: Any, plain: bool, opts: Any) -> Any:
    # Every account for a per-account limit, else the instance's total (one request).
    from .get_sag_online_client_statistics import get_sag_online_client_statistics_output
    from .get_user_online_client_statistics import get_user_online_client_statistics_output

    smart_ag_id, region_id = _get(instance, "smart_ag_id"), _get(instance, "region_id")

    def per_user(l: Any) -> bool:
        return (l or {}).get("max_online_per_user") is not None

    def read(l: Any) -> Any:
        if per_user(l):
            return get_user_online_client_statistics_output(
                smart_ag_id=smart_ag_id, region_id=region_id, opts=opts)
        return get_sag_online_client_statistics_output(
            smart_ag_ids=[smart_ag_id], region_id=region_id, opts=opts)

    if plain:
        # Checked now against what the read can judge, so a mistake fails at the call.
        _check_limits(limits or {}, {"user_statistics": []} if per_user(limits) else {"statistics": []})
        return assert_online_limits(read(limits), limits)
    return pulumi.Output.from_input(limits).apply(lambda l: assert_online_limits(read(l), l))


def _is_instance(stats: Any) -> bool:
    # An instance to read, not statistics: a smart_ag_id and no counts.
    return (isinstance(stats, Mapping) and "smart_ag_id" in stats
            and not {"user_statistics", "statistics", "total_online_count"} & set(stats))


def _is_plain(limits: Any) -> bool:
    # Limits holding Outputs or awaitables are checked once they resolve.
    values = limits.values() if isinstance(limits, Mapping) else [limits]
    return not any(isinstance(v, pulumi.Output) or hasattr(v, "__await__") for v in values)
