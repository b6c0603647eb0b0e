"""Starts the built emulator (dist/emulator/cli.js) once per session on a port the OS picks."""

import json
import selectors
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "dist" / "emulator" / "cli.js"
REGION = "cn-shanghai"
INSTANCE = "sag-conform01"
KEY = {"id": "LTAI5tConformKey01", "secret": "conformance-secret-01"}
STS_KEY = {
    "id": "STS.ConformKey02",
    "secret": "conformance-secret-02",
    "securityToken": "conformance-sts-token-02",
}
# More than two batches of 50, with a spread of counts (0 is a known account that is offline).
USERS = {f"conform-user-{i:03d}": (i * 7) % 5 for i in range(1, 131)}
# More instances than one DescribeSagOnlineClientStatistics call takes; each has two accounts.
SAG_COUNTS = {f"sag-conf{i:03d}": i % 6 for i in range(1, 61)}
# More than one page (at most 50) of accounts in the fixture's object form; every fourth is
# disabled and offline, the others have one client each.
ACCOUNT_INSTANCE = "sag-confacct1"
ACCOUNTS = {
    f"conform-acct-{i:03d}": {
        "userMail": f"acct{i:03d}@example.com",
        "bandwidth": i * 100,
        "accelerateBandwidth": i % 3 * 50,
        "state": 1 if i % 4 == 0 else 0,
        "clientIp": f"10.8.0.{i}",
        "isStaticIp": i % 2 == 0,
        "clients": [] if i % 4 == 0 else [{"clientIp": f"10.9.0.{i}", "onlineTime": 1559125519 + i}],
    }
    for i in range(1, 61)
}
OTHER_REGION = "cn-hongkong"
# A watchdog against a hang, not a timing assertion.
STARTUP_LIMIT_S = 60


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    """host:port of a running emulator serving the fixture above."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: run `npm run build` first")
    fixture = tmp_path_factory.mktemp("emulator") / "fixture.json"
    fixture.write_text(
        json.dumps(
            {
                "accessKeys": [KEY, STS_KEY],
                "regions": {
                    REGION: {
                        INSTANCE: {"users": USERS},
                        ACCOUNT_INSTANCE: {"users": ACCOUNTS},
                        **{
                            sag: {"users": {"conform-a01": n // 2, "conform-b01": n - n // 2}}
                            for sag, n in SAG_COUNTS.items()
                        },
                    },
                    OTHER_REGION: {},
                },
            }
        )
    )
    child = subprocess.Popen(
        ["node", str(CLI), "--port", "0", "--fixture", str(fixture)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield read_endpoint(child)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=STARTUP_LIMIT_S)


def read_endpoint(child: subprocess.Popen) -> str:
    """The emulator prints one line, SMARTAG_ENDPOINT=http://HOST:PORT, once it listens."""
    with selectors.DefaultSelector() as sel:
        sel.register(child.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=STARTUP_LIMIT_S):
            child.kill()
            pytest.fail("the emulator printed no SMARTAG_ENDPOINT line")
    line = child.stdout.readline().strip()
    if not line.startswith("SMARTAG_ENDPOINT=http://"):
        child.kill()
        pytest.fail(f"unexpected first line {line!r}; stderr: {child.stderr.read()}")
    return line.removeprefix("SMARTAG_ENDPOINT=http://")

