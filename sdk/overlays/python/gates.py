# Hand-written (sdk/overlays/python); the generator copies it into the package and exports it.
"""
Deployment gates: fail ``pulumi preview`` / ``pulumi up`` when online-client statistics break
limits, naming every offending account and the instance.

A limit means what it means in the Node.js SDK, the statistics resource, the policy pack and the
``smartag-stats`` CLI: a count *above* the limit breaks it, a name listed twice is judged once by
its highest count, and the total limit is held against ``total_online_count``.
"""

from dataclasses import dataclass
from typing import Any, Mapping, Optional, TypedDict, TypeVar, Union, overload

import pulumi

__all__ = [
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
    max_total_online: int
    """The most clients all the listed accounts may have online together."""
    require_none_online: bool
    """Require nobody online at all, e.g. before tearing an instance down."""


@dataclass(frozen=True)
class LimitViolation:
    """One broken limit: ``kind`` is the name of the limit, ``user_name`` is None for the total."""

    kind: str
    online_count: int
    limit: int
    user_name: Optional[str] = None


class OnlineLimitsError(pulumi.RunError):
    """
    The statistics break the limits. A ``pulumi.RunError``, so a deployment it ends shows its
    message alone: one line per offending account with count and limit, under the instance.
    When the statistics were secret, account names and the instance show as ``[secret]``.
    """

    def __init__(self, stats: Any, violations: list[LimitViolation], secret: bool = False):
        if secret:
            violations = [
                v if v.user_name is None
                else LimitViolation(v.kind, v.online_count, v.limit, "[secret]")
                for v in violations
            ]
        self.violations = violations
        self.smart_ag_id: Optional[str] = "[secret]" if secret else _get(stats, "smart_ag_id")
        self.region_id: Optional[str] = None if secret else _get(stats, "region_id")
        super().__init__(_format(self.smart_ag_id, self.region_id, violations))


def _get(obj: Any, name: str) -> Any:
    # Result types offer snake_case properties; plain dicts use snake_case keys.
    if hasattr(obj, name):
        return getattr(obj, name)
    return obj.get(name) if isinstance(obj, Mapping) else None


def _check_limits(limits: Mapping[str, Any]) -> Mapping[str, Any]:
    # JSON and JavaScript cannot tell 3 from 3.0, so neither does this; True is not a number.
    problems = [
        f"{key} must be a whole number of at least 0 (got {limits[key]!r})"
        for key in ("max_online_per_user", "max_total_online")
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
    known = {"max_online_per_user", "max_total_online", "require_none_online"}
    problems += [f"{key} is not a limit" for key in sorted(set(limits) - known)]
    if problems:
        raise pulumi.RunError(f"invalid limits: {'; '.join(problems)}")
    return limits


def find_limit_violations(stats: Any, limits: OnlineLimits) -> list[LimitViolation]:
    """
    Every limit the statistics break, accounts in result order (a name listed twice is reported
    once, with its highest count).

    :param stats: statistics with ``user_statistics`` (``user_name``, ``online_count``) and
        ``total_online_count``, as attributes or dict keys.
    :param limits: the limits; unset ones are not checked.
    :raises pulumi.RunError: when a limit is not a whole number of at least 0.
    """
    _check_limits(limits)
    highest: dict[str, int] = {}
    for entry in _get(stats, "user_statistics") or []:
        name, count = _get(entry, "user_name"), _get(entry, "online_count")
        if name not in highest or count > highest[name]:
            highest[name] = count
    per_user, total = limits.get("max_online_per_user"), limits.get("max_total_online")
    violations = []
    for name, count in highest.items():
        if limits.get("require_none_online") and count > 0:
            violations.append(LimitViolation("require_none_online", count, 0, name))
        elif per_user is not None and count > per_user:
            violations.append(LimitViolation("max_online_per_user", count, int(per_user), name))
    online = _get(stats, "total_online_count")
    if total is not None and online > total:
        violations.append(LimitViolation("max_total_online", online, int(total)))
    return violations


def _format(
    smart_ag_id: Optional[str], region_id: Optional[str], violations: list[LimitViolation]
) -> str:
    lines = []
    for v in violations:
        if v.kind == "max_online_per_user":
            lines.append(f"  - {v.user_name}: {v.online_count} online, limit {v.limit} per user")
        elif v.kind == "require_none_online":
            lines.append(f"  - {v.user_name}: {v.online_count} online, none allowed")
        else:
            lines.append(f"  - total: {v.online_count} online, limit {v.limit}")
    label = " ".join(p for p in (smart_ag_id, region_id and f"({region_id})") if p) or "(unknown)"
    plural = "" if len(violations) == 1 else "s"
    return f"SAG instance {label}: {len(violations)} limit violation{plural}:\n" + "\n".join(lines)


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
def assert_online_limits(stats: T, limits: OnlineLimits) -> T: ...
def assert_online_limits(stats: Any, limits: Any) -> Any:
    """
    Fails the deployment when the statistics break the limits; returns them otherwise.

    - Plain statistics (the result of ``get_user_online_client_statistics``, or a dict with the
      same snake_case keys) are judged now: raises :class:`OnlineLimitsError`.
    - An ``Output`` (from ``get_user_online_client_statistics_output``) is judged when it resolves;
      the returned ``Output`` fails the deployment, used or not, and keeps secrecy and dependencies.
      Unknown values in a preview are not judged, so a preview never fails falsely.
    - A ``UserOnlineClientStatistics`` resource: its recorded counts are judged on every deployment
      (e.g. after ``pulumi up --refresh``); returns an ``Output`` of a dict of them.

    Limits known now are checked now, so a typo fails at the call.

    :param stats: the statistics.
    :param limits: ``max_online_per_user``, ``max_total_online``, ``require_none_online``.
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


def require_nobody_online(stats: Any) -> Any:
    """
    Fails the deployment while any listed account has a client online: the gate to put before
    tearing a SAG instance down. The same as :func:`assert_online_limits` with
    ``{"require_none_online": True}``. ``pulumi destroy`` runs no program, so no gate: remove the
    instance from the program and run ``pulumi up`` with the gate still in it.

    ```python
    import pulumi_smartag as smartag

    smartag.require_nobody_online(smartag.get_user_online_client_statistics_output(
        smart_ag_id="sag-demo0001", user_names=["doctest"]))
    ```
    """
    return assert_online_limits(stats, {"require_none_online": True})


def _is_plain(limits: Any) -> bool:
    # Limits holding Outputs or awaitables are checked once they resolve.
    values = limits.values() if isinstance(limits, Mapping) else [limits]
    return not any(isinstance(v, pulumi.Output) or hasattr(v, "__await__") for v in values)
