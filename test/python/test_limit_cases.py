"""The limit cases both SDKs are held to (test/fixtures/limit-cases.json; the Node.js side is
test/sdk/limitCases.spec.ts), judged by the Python gates on the generated result types."""

import json
import re
from pathlib import Path

import pulumi
import pytest

import pulumi_smartag as smartag
from pulumi_smartag import outputs

CASES_FILE = Path(__file__).parents[1] / "fixtures" / "limit-cases.json"
CASES = json.loads(CASES_FILE.read_text())["cases"]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def result(stats: dict):
    if "statistics" in stats:
        return smartag.GetSagOnlineClientStatisticsResult(
            region_id=stats.get("regionId"),
            request_ids=[],
            statistics=[
                outputs.SagStatistic(smart_ag_id=s["smartAgId"], online_count=s["onlineCount"])
                for s in stats["statistics"]
            ],
            total_online_count=stats["totalOnlineCount"],
        )
    return smartag.GetUserOnlineClientStatisticsResult(
        region_id=stats.get("regionId"),
        request_ids=[],
        smart_ag_id=stats.get("smartAgId"),
        total_online_count=stats["totalOnlineCount"],
        user_statistics=[
            outputs.UserStatistic(user_name=u["userName"], online_count=u["onlineCount"])
            for u in stats["userStatistics"]
        ],
    )


def violation(v: dict) -> smartag.LimitViolation:
    return smartag.LimitViolation(
        snake(v["kind"]), v["onlineCount"], v["limit"], v.get("userName"), v.get("smartAgId"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_limit_case(case):
    stats = result(case["stats"])
    limits = {snake(k): v for k, v in case["limits"].items()}
    if "invalid" in case:
        with pytest.raises(pulumi.RunError) as failure:
            smartag.assert_online_limits(stats, limits)
        for key in case["invalid"]:
            assert f"{snake(key)} must" in str(failure.value)
        return
    expected = [violation(v) for v in case["violations"]]
    assert smartag.find_limit_violations(stats, limits) == expected
    if not case["violations"]:
        assert smartag.assert_online_limits(stats, limits) is stats
        return
    with pytest.raises(smartag.OnlineLimitsError) as failure:
        smartag.assert_online_limits(stats, limits)
    assert failure.value.violations == expected
    if "message" in case:
        assert str(failure.value) == case["message"]


def test_cases_cover_every_kind_of_limit():
    kinds = {v["kind"] for c in CASES for v in c.get("violations", [])}
    assert kinds == {
        "maxOnlinePerUser", "maxOnlinePerInstance", "maxTotalOnline", "requireNoneOnline"}


def test_plain_dicts_with_snake_case_keys_are_judged_too():
    stats = {"smart_ag_id": "sag-demo0001", "total_online_count": 1,
             "user_statistics": [{"user_name": "doctest", "online_count": 1}]}
    with pytest.raises(smartag.OnlineLimitsError, match="doctest: 1 online, none allowed"):
        smartag.require_nobody_online(stats)


def test_a_misspelt_limit_fails_at_the_call():
    with pytest.raises(pulumi.RunError, match="max_online_per_usr is not a limit"):
        smartag.assert_online_limits({"user_statistics": [], "total_online_count": 0},
                                     {"max_online_per_usr": 3})


def test_a_whole_instance_with_per_user_and_per_instance_limits_fails_at_the_call():
    # A per-account limit reads every account; a per-instance limit cannot be judged on those.
    with pytest.raises(pulumi.RunError, match="max_online_per_instance must have instance totals"):
        smartag.assert_online_limits(
            {"smart_ag_id": "sag-demo0001"},
            {"max_online_per_user": 3, "max_online_per_instance": 3})


def test_secret_instance_totals_hide_the_instance():
    stats = {"region_id": "cn-shanghai", "total_online_count": 8,
             "statistics": [{"smart_ag_id": "sag-demo0001", "online_count": 8}]}
    error = smartag.OnlineLimitsError(
        stats, smartag.find_limit_violations(stats, {"require_none_online": True}), secret=True)
    assert str(error) == "SAG instance [secret]: 1 limit violation:\n  - [secret]: 8 online, none allowed"
    assert error.smart_ag_id == "[secret]"
