"""The Python SDK under the real Pulumi engine: inline programs through the Automation API, the
provider plugin and the emulator. One stack is deployed, refreshed and destroyed; most failures
run as updates of a second stack that never creates anything."""

import json
import os
import re
import subprocess

import pulumi
import pulumi.automation as auto
import pytest

import pulumi_smartag as smartag
from conftest import KEY2, REPO, SECRETS, configure_default_provider, everything_written

BIG = [f"user{i:04d}" for i in range(1, 151)]
# emulator/fixtures/default.json: user0001..user0150 have 1, 2, 3, 0, 1, 2, 3, 0, ... online.
BIG_COUNTS = [[1, 2, 3, 0][i % 4] for i in range(150)]


def deployed_program(endpoint: str):
    def program():
        explicit = smartag.Provider(
            "explicit", region="cn-shanghai", endpoint=endpoint,
            access_key=KEY2["id"], secret_key=KEY2["secret"],
        )
        stats = smartag.get_user_online_client_statistics_output(
            smart_ag_id="sag-big0001", user_names=BIG, opts=pulumi.InvokeOptions(provider=explicit),
        )
        limits = {"max_online_per_user": 3, "max_total_online": sum(BIG_COUNTS)}
        gated = smartag.assert_online_limits(stats, limits)
        counts = gated.apply(lambda s: [u.online_count for u in s.user_statistics])
        pulumi.export("bigCounts", counts)
        pulumi.export("bigTotal", gated.total_online_count)
        pulumi.export("bigRequests", stats.request_ids.apply(len))
        recorded = smartag.UserOnlineClientStatistics(
            "recorded", smart_ag_id="sag-big0001", user_names=BIG,
            opts=pulumi.ResourceOptions(provider=explicit),
        )
        # The counts the resource recorded, judged as they stand after each deployment.
        checked = smartag.assert_online_limits(recorded, {"max_total_online": 225})
        pulumi.export("recordedTotal", checked.apply(lambda s: s["total_online_count"]))
        # The default provider, configured from the stack, with a secret argument.
        secret = smartag.get_user_online_client_statistics_output(
            region_id="cn-shanghai", smart_ag_id=pulumi.Output.secret("sag-demo0001"),
            user_names=["doctest", "bob.smith"],
        )
        pulumi.export("secretTotal", secret.total_online_count)
        pulumi.export("secretRegion", secret.region_id)

    return program


@pytest.fixture(scope="module")
def deployed(new_stack, endpoint):
    stack = new_stack("deployed", deployed_program(endpoint))
    # sag-big0001 is in cn-shanghai: only the explicit provider's region finds it.
    configure_default_provider(stack, endpoint, region="cn-hongkong")
    up = stack.up(on_output=lambda _: None)
    yield stack, up
    stack.destroy(on_output=lambda _: None)


def test_counts_more_than_50_names_through_an_explicit_provider(deployed):
    _, up = deployed
    assert up.outputs["bigCounts"].value == BIG_COUNTS
    assert up.outputs["bigTotal"].value == 225
    assert up.outputs["bigRequests"].value == 3  # batches of 50
    assert up.outputs["recordedTotal"].value == 225


def test_a_secret_argument_gives_a_secret_result(deployed):
    _, up = deployed
    assert (up.outputs["secretTotal"].value, up.outputs["secretTotal"].secret) == (7, True)
    region = up.outputs["secretRegion"]
    assert (region.value, region.secret) == ("cn-shanghai", True)
    assert not up.outputs["bigTotal"].secret


def test_no_credential_reaches_the_state(deployed, engine):
    stack, _ = deployed
    # Automation's export_stack() adds --show-secrets; a user's `pulumi stack export` does not.
    exported = subprocess.run(
        [str(REPO / ".tools" / "bin" / "pulumi"), "stack", "export", "--stack", stack.name],
        cwd=stack.workspace.work_dir, env={**os.environ, **engine["env"]},
        capture_output=True, text=True, check=True,
    ).stdout
    assert "UserOnlineClientStatistics" in exported and "ciphertext" in exported
    for secret in SECRETS:
        assert secret not in exported
        assert secret not in everything_written(engine)


def test_refresh_then_destroy(deployed):
    stack, _ = deployed
    refresh = stack.refresh(on_output=lambda _: None)
    assert refresh.summary.result == "succeeded"
    assert stack.outputs()["recordedTotal"].value == 225
    destroy = stack.destroy(on_output=lambda _: None)
    assert destroy.summary.resource_changes.get("delete") == 3  # stack, provider, statistics


@pytest.fixture(scope="module")
def failing(new_stack, endpoint):
    stack = new_stack("failing", lambda: None)
    configure_default_provider(stack, endpoint)
    return stack


def failed_up(stack: auto.Stack, program) -> str:
    stack.workspace.program = program
    with pytest.raises(auto.CommandError) as failure:
        stack.up(on_output=lambda _: None)
    return str(failure.value)


def test_a_bad_argument_fails_naming_the_field(failing):
    text = failed_up(failing, lambda: smartag.get_user_online_client_statistics(
        smart_ag_id="sag-demo0001", user_names=["doctest", "x"]))
    assert re.search(r"must be at least 7 characters \(userNames\[1\]\)", text), text


def test_a_bad_account_filter_fails_naming_the_field(failing):
    text = failed_up(failing, lambda: smartag.get_client_users(
        smart_ag_id="sag-demo0001", user_mail="not an address"))
    assert "must be an email address such as alice@example.com (userMail)" in text, text


def test_an_api_error_keeps_its_code_and_request_id(failing):
    text = failed_up(failing, lambda: smartag.get_user_online_client_statistics(
        smart_ag_id="sag-unknown01", user_names=["doctest"]))
    assert "SAG.InstanceNoFound: The specified SAG instance does not exist." in text, text
    assert re.search(r"RequestId: [0-9A-F-]{36}", text), text


def test_a_broken_limit_names_the_offenders_and_the_instance(failing):
    def program():
        smartag.assert_online_limits(
            smartag.get_user_online_client_statistics_output(
                smart_ag_id="sag-demo0001", user_names=["doctest", "bob.smith", "carol_01"]),
            {"max_online_per_user": 1},
        )

    text = failed_up(failing, program)
    assert "SAG instance sag-demo0001 (cn-shanghai): 2 limit violations:" in text, text
    assert "doctest: 2 online, limit 1 per user" in text
    assert "bob.smith: 5 online, limit 1 per user" in text
    assert "carol_01" not in text


def test_a_gate_on_secret_statistics_hides_the_names(failing):
    text = failed_up(failing, lambda: smartag.require_nobody_online(
        smartag.get_user_online_client_statistics_output(
            smart_ag_id=pulumi.Output.secret("sag-demo0001"), user_names=["bob.smith"])))
    assert "SAG instance [secret]: 1 limit violation:" in text, text
    assert "[secret]: 5 online, none allowed" in text
    assert "bob.smith" not in text


def test_the_schemas_python_examples_run(new_stack, endpoint):
    schema = json.loads((REPO / "provider" / "schema.json").read_text())
    docs = [f["description"] for f in schema["functions"].values()]
    docs += [r["description"] for r in schema["resources"].values()]
    examples = [code for doc in docs for code in re.findall(r"```python\n(.*?)```", doc, re.S)]
    assert len(examples) == 6

    stack = new_stack("docs", lambda: [exec(code, {}) for code in examples])
    configure_default_provider(stack, endpoint)
    try:
        up = stack.up(on_output=lambda _: None)
        assert up.outputs["totalOnline"].value == 2
        # sag-demo0001 and sag-big0001, every account of each.
        assert up.outputs["instancesOnline"].value == 8 + 225
        # No user_names: every account of sag-demo0001, listed first.
        assert up.outputs["onlineNow"].value == 8
        assert up.outputs["accountCount"].value == 4
        assert up.outputs["disabled"].value == []
        assert up.outputs["connected"].value == [
            "10.0.0.1 since 2019-05-29T10:25:19.000Z", "10.0.0.2 since 2019-05-29T10:25:19.000Z"]
    finally:
        stack.destroy(on_output=lambda _: None)


def test_a_gate_waits_for_unknown_values_in_a_preview(new_stack, endpoint):
    def program():
        recorded = smartag.UserOnlineClientStatistics(
            "recorded", smart_ag_id="sag-demo0001", user_names=["doctest"])
        # Unknown until the resource exists: the preview cannot judge it, the update must.
        names = recorded.total_online_count.apply(lambda _: ["bob.smith"])
        smartag.require_nobody_online(smartag.get_user_online_client_statistics_output(
            smart_ag_id="sag-demo0001", user_names=names))

    stack = new_stack("preview", program)
    configure_default_provider(stack, endpoint)
    try:
        assert stack.preview(on_output=lambda _: None).change_summary.get("create") == 2
        text = failed_up(stack, program)
        assert "bob.smith: 5 online, none allowed" in text, text
    finally:
        stack.destroy(on_output=lambda _: None)


def test_plain_statistics_with_limits_from_an_output_fail_through_it(failing):
    def program():
        stats = smartag.get_user_online_client_statistics(
            smart_ag_id="sag-demo0001", user_names=["bob.smith"])
        smartag.assert_online_limits(stats, pulumi.Output.from_input({"max_total_online": 4}))

    text = failed_up(failing, program)
    assert "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:" in text, text
    assert "total: 5 online, limit 4" in text
