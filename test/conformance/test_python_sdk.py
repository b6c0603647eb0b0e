"""Alibaba Cloud's Python SDK against the emulator, in each signature mode it offers.

Nothing here signs a request: the SDK does. Where a test needs a stale timestamp or a reused
nonce, it hands the SDK that value through RuntimeOptions.extends_parameters, the SDK's own
hook for extra headers and query parameters, and the SDK signs the request as usual.
"""

import re

import pytest
from alibabacloud_smartag20180313 import models
from alibabacloud_smartag20180313.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import ExtendsParameters, RuntimeOptions

from conftest import (
    ACCOUNT_INSTANCE,
    ACCOUNTS,
    INSTANCE,
    KEY,
    OTHER_REGION,
    REGION,
    SAG_COUNTS,
    STS_KEY,
    USERS,
)

BATCH = 50
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
STALE = "2020-01-01T00:00:00Z"

# signature_algorithm as the SDK takes it; None is its default, ACS3-HMAC-SHA256 (V3).
MODES = {"v2": "v2", "v3": None, "v3-sm3": "ACS3-HMAC-SM3"}


@pytest.fixture(params=list(MODES), ids=list(MODES))
def mode(request):
    return request.param


def client(endpoint: str, mode: str, key=KEY, secret=None) -> Client:
    config = openapi.Config(
        access_key_id=key["id"],
        access_key_secret=secret or key["secret"],
        security_token=key.get("securityToken"),
        endpoint=endpoint,
        protocol="http",
        region_id=REGION,
    )
    if MODES[mode] is not None:
        config.signature_algorithm = MODES[mode]
    return Client(config)


def describe(sdk: Client, names, instance=INSTANCE, runtime=None):
    request = models.DescribeUserOnlineClientStatisticsRequest(
        region_id=REGION, smart_agid=instance, user_names=names
    )
    return sdk.describe_user_online_client_statistics_with_options(
        request, runtime or RuntimeOptions()
    )


def stamped(mode: str, v2_query: dict, v3_headers: dict) -> RuntimeOptions:
    """Extra values for the SDK to send and sign: query params in V2, headers in V3."""
    extra = ExtendsParameters(queries=v2_query) if mode == "v2" else ExtendsParameters(
        headers=v3_headers
    )
    return RuntimeOptions(extends_parameters=extra)


def expect_error(call, code: str, status: int = 400) -> ClientException:
    with pytest.raises(ClientException) as caught:
        call()
    err = caught.value
    assert (err.code, err.status_code) == (code, status), err.message
    assert REQUEST_ID.match(err.request_id), err.request_id
    return err


def test_counts_for_more_than_one_batch(endpoint, mode):
    sdk = client(endpoint, mode)
    names = list(USERS)
    assert len(names) > 2 * BATCH
    seen = {}
    request_ids = set()
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        reply = describe(sdk, batch)
        assert reply.status_code == 200
        stats = reply.body.user_statistics.statistics
        assert [s.user_name for s in stats] == batch
        seen.update({s.user_name: int(s.online_count) for s in stats})
        assert REQUEST_ID.match(reply.body.request_id)
        request_ids.add(reply.body.request_id)
    assert seen == USERS
    assert len(request_ids) == -(-len(names) // BATCH)


def test_counts_through_an_sts_key(endpoint, mode):
    reply = describe(client(endpoint, mode, key=STS_KEY), ["conform-user-001", "never-seen-01"])
    counts = [(s.user_name, s.online_count) for s in reply.body.user_statistics.statistics]
    assert counts == [("conform-user-001", str(USERS["conform-user-001"])), ("never-seen-01", "0")]


@pytest.mark.parametrize(
    "names, instance, code",
    [
        ([], INSTANCE, "ClientUser.NameEmpty"),
        ([""], INSTANCE, "ClientUser.NameEmpty"),
        (["no spaces allowed"], INSTANCE, "ClientUser.NameInvalid"),
        # Signed and encoded by the SDK; reaching the action proves both sides encode alike.
        (["odd*(chars)!'~+%/?&=é名"], INSTANCE, "ClientUser.NameInvalid"),
        (["conform-user-001"], None, "SAG.InstanceIdEmpty"),
        (["conform-user-001"], "sag-nosuch001", "SAG.InstanceNoFound"),
    ],
    ids=["no-names", "empty-name", "bad-name", "odd-chars", "no-instance", "unknown-instance"],
)
def test_documented_error_codes(endpoint, mode, names, instance, code):
    sdk = client(endpoint, mode)
    expect_error(lambda: describe(sdk, names, instance), code)


def test_wrong_secret(endpoint, mode):
    sdk = client(endpoint, mode, secret="not-the-secret")
    err = expect_error(lambda: describe(sdk, ["conform-user-001"]), "SignatureDoesNotMatch")
    assert "not-the-secret" not in err.message and KEY["secret"] not in err.message


def test_unknown_access_key(endpoint, mode):
    sdk = client(endpoint, mode, key={"id": "LTAI5tNobodysKey", "secret": "x"})
    expect_error(lambda: describe(sdk, ["conform-user-001"]), "InvalidAccessKeyId.NotFound", 404)


def test_expired_timestamp(endpoint, mode):
    runtime = stamped(mode, {"Timestamp": STALE}, {"x-acs-date": STALE})
    sdk = client(endpoint, mode)
    expect_error(lambda: describe(sdk, ["conform-user-001"], runtime=runtime), "InvalidTimeStamp.Expired")


def test_reused_nonce(endpoint, mode):
    nonce = f"conformance-nonce-{mode}"
    runtime = stamped(mode, {"SignatureNonce": nonce}, {"x-acs-signature-nonce": nonce})
    sdk = client(endpoint, mode)
    assert describe(sdk, ["conform-user-001"], runtime=runtime).status_code == 200
    expect_error(lambda: describe(sdk, ["conform-user-001"], runtime=runtime), "SignatureNonceUsed")


def describe_sag(sdk: Client, ids, region=REGION):
    request = models.DescribeSagOnlineClientStatisticsRequest(region_id=region, smart_agids=ids)
    return sdk.describe_sag_online_client_statistics_with_options(request, RuntimeOptions())


def test_instance_counts_in_batches_of_50(endpoint, mode):
    sdk = client(endpoint, mode)
    ids = list(SAG_COUNTS)
    assert len(ids) > BATCH
    seen = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        reply = describe_sag(sdk, batch)
        stats = reply.body.sag_statistics.statistics
        assert [s.smart_agid for s in stats] == batch
        assert all(isinstance(s.online_count, str) for s in stats)
        seen.update({s.smart_agid: int(s.online_count) for s in stats})
        assert REQUEST_ID.match(reply.body.request_id)
    assert seen == SAG_COUNTS


def test_instance_count_sums_its_accounts(endpoint, mode):
    reply = describe_sag(client(endpoint, mode), [INSTANCE])
    [only] = reply.body.sag_statistics.statistics
    assert (only.smart_agid, only.online_count) == (INSTANCE, str(sum(USERS.values())))


@pytest.mark.parametrize(
    "ids, region",
    [(["sag-conf001", "sag-nosuch001"], REGION), ([INSTANCE], OTHER_REGION)],
    ids=["unknown-id", "other-region"],
)
def test_unknown_instance_id(endpoint, mode, ids, region):
    sdk = client(endpoint, mode)
    err = expect_error(lambda: describe_sag(sdk, ids, region), "InvalidId.SMARTAG")
    assert "does not exist" in err.message


def test_regions_with_endpoints(endpoint, mode):
    sdk = client(endpoint, mode)
    reply = sdk.describe_regions_with_options(
        models.DescribeRegionsRequest(accept_language="en-US"), RuntimeOptions()
    )
    regions = [
        (r.region_id, r.local_name, r.region_endpoint) for r in reply.body.regions.region
    ]
    assert regions == [
        (REGION, "China (Shanghai)", f"smartag.{REGION}.aliyuncs.com"),
        (OTHER_REGION, "China (Hong Kong)", f"smartag.{OTHER_REGION}.aliyuncs.com"),
    ]
    assert REQUEST_ID.match(reply.body.request_id)


def client_users(sdk: Client, instance=ACCOUNT_INSTANCE, **filters):
    request = models.DescribeSmartAccessGatewayClientUsersRequest(
        region_id=REGION, smart_agid=instance, **filters
    )
    return sdk.describe_smart_access_gateway_client_users_with_options(request, RuntimeOptions())


def test_client_users_in_pages(endpoint, mode):
    sdk = client(endpoint, mode)
    seen = []
    for page in (1, 2, 3):
        body = client_users(sdk, page_number=page, page_size=BATCH).body
        assert (body.total_count, body.page_number, body.page_size) == (len(ACCOUNTS), page, BATCH)
        assert REQUEST_ID.match(body.request_id)
        seen += body.users.user
    assert [u.user_name for u in seen] == list(ACCOUNTS)
    for user in seen:
        account = ACCOUNTS[user.user_name]
        assert (user.user_mail, user.client_ip) == (account["userMail"], account["clientIp"])
        assert (user.bandwidth, user.accelerate_bandwidth, user.state, user.is_static_ip) == (
            account["bandwidth"],
            account["accelerateBandwidth"],
            account["state"],
            int(account["isStaticIp"]),
        )
    defaults = client_users(sdk).body
    assert (defaults.page_number, defaults.page_size, len(defaults.users.user)) == (1, 10, 10)


def test_client_users_filtered(endpoint, mode):
    sdk = client(endpoint, mode)
    by_name = client_users(sdk, user_name="conform-acct-007").body
    by_mail = client_users(sdk, user_mail="acct008@example.com").body
    assert [(b.total_count, [u.user_name for u in b.users.user]) for b in (by_name, by_mail)] == [
        (1, ["conform-acct-007"]),
        (1, ["conform-acct-008"]),
    ]


@pytest.mark.parametrize(
    "filters, code",
    [
        ({"instance": "sag-nosuch001"}, "SAG.InstanceNoFound"),
        ({"instance": None}, "SAG.InstanceIdEmpty"),
        ({"page_size": BATCH + 1}, "InvalidParameter"),
        ({"page_number": 0}, "InvalidParameter"),
    ],
    ids=["unknown-instance", "no-instance", "page-size-over-50", "page-number-0"],
)
def test_client_users_errors(endpoint, mode, filters, code):
    sdk = client(endpoint, mode)
    expect_error(lambda: client_users(sdk, **filters), code)


def online_clients(sdk: Client, name, instance=ACCOUNT_INSTANCE):
    request = models.DescribeUserOnlineClientsRequest(
        region_id=REGION, smart_agid=instance, user_name=name
    )
    return sdk.describe_user_online_clients_with_options(request, RuntimeOptions())


def test_user_online_clients(endpoint, mode):
    sdk = client(endpoint, mode)
    body = online_clients(sdk, "conform-acct-005").body
    assert REQUEST_ID.match(body.request_id)
    assert [(c.client_ip, c.online_time) for c in body.users.user] == [("10.9.0.5", "1559125524")]
    for offline in ("conform-acct-004", "never-seen-01"):
        assert online_clients(sdk, offline).body.users.user == []


@pytest.mark.parametrize(
    "name, instance, code",
    [
        (None, ACCOUNT_INSTANCE, "ClientUser.NameEmpty"),
        ("no spaces allowed", ACCOUNT_INSTANCE, "ClientUser.NameInvalid"),
        ("conform-acct-001", None, "SAG.InstanceIdEmpty"),
        ("conform-acct-001", "sag-nosuch001", "SAG.InstanceNoFound"),
    ],
    ids=["no-name", "bad-name", "no-instance", "unknown-instance"],
)
def test_user_online_clients_errors(endpoint, mode, name, instance, code):
    sdk = client(endpoint, mode)
    expect_error(lambda: online_clients(sdk, name, instance), code)
