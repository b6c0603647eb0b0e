"""Fixtures for running Python programs under the real Pulumi engine: the CLI from .tools/bin,
the provider plugin from bin/ (`npm run build`), the emulator, and a throwaway file backend.

No Python language host is served here, so programs run inline through the Automation API,
whose in-process language server the CLI talks to instead of a host binary."""

import os
import subprocess
from pathlib import Path
from typing import Callable, Optional

import pulumi.automation as auto
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
KEY = {"id": "LTAI5tEmulatorKey01", "secret": "emulator-secret-01"}
KEY2 = {"id": "LTAI5tEmulatorKey02", "secret": "emulator-secret-02"}
SECRETS = [KEY["secret"], KEY2["secret"]]
PROJECT = "smartag-python-tests"


@pytest.fixture(scope="session")
def endpoint():
    """The emulator's URL; it serves emulator/fixtures/default.json on a port the OS picks."""
    proc = subprocess.Popen(
        ["node", str(REPO / "bin" / "smartag-emulator"), "--port", "0"],
        stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("SMARTAG_ENDPOINT="):
        proc.kill()
        pytest.fail(f"the emulator did not start (run `npm run build`): {line!r}")
    yield line.split("=", 1)[1]
    proc.terminate()
    proc.wait()


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    """Environment for the CLI: its own PULUMI_HOME and file backend, the plugin on PATH."""
    for needed in (REPO / ".tools" / "bin" / "pulumi", REPO / "dist" / "provider"):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run `npm run build && npm run tools:pulumi`")
    root = tmp_path_factory.mktemp("engine")
    (root / "state").mkdir()
    (root / "home").mkdir()
    env = {
        "PATH": os.pathsep.join(
            [str(REPO / "bin"), str(REPO / ".tools" / "bin"), os.environ["PATH"]]
        ),
        "PULUMI_BACKEND_URL": (root / "state").as_uri(),
        "PULUMI_HOME": str(root / "home"),
        "PULUMI_CONFIG_PASSPHRASE": "python-e2e",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    # A developer's own Pulumi settings (access token, backend, stack) must not leak in.
    for key in [k for k in os.environ if k.startswith("PULUMI_") and k not in env]:
        env[key] = ""
    return {"root": root, "env": env}


def everything_written(engine) -> str:
    """State files, logs and caches: what must never hold a credential."""
    return "\n".join(
        p.read_text(errors="replace") for p in engine["root"].rglob("*") if p.is_file()
    )


@pytest.fixture(scope="session")
def new_stack(engine, tmp_path_factory) -> Callable[..., auto.Stack]:
    """Makes a stack for an inline program; with `project`, that project's Pulumi.yaml is used."""
    command = auto.PulumiCommand(root=str(REPO / ".tools"))

    def make(name: str, program, project: Optional[Path] = None) -> auto.Stack:
        work_dir = tmp_path_factory.mktemp(name)
        settings = None
        if project is None:
            settings = auto.ProjectSettings(name=PROJECT, runtime="python", main=str(work_dir))
        else:
            (work_dir / "Pulumi.yaml").write_text(yaml.safe_dump(_anchored(project)))
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir), pulumi_home=engine["env"]["PULUMI_HOME"],
            env_vars=engine["env"], pulumi_command=command, project_settings=settings,
        )
        return auto.create_stack(name, project_name=PROJECT, program=program, opts=opts)

    return make


def _anchored(project: Path) -> dict:
    """The project's settings, with plugin paths made absolute so they hold from another folder."""
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    for plugin in settings.get("plugins", {}).get("providers", []):
        plugin["path"] = str((project / plugin["path"]).resolve())
    return settings


def configure_default_provider(stack: auto.Stack, endpoint: str, region="cn-shanghai") -> None:
    """Points the stack's default smartag provider at the emulator; the secret set as a secret."""
    stack.set_all_config({
        "smartag:region": auto.ConfigValue(region),
        "smartag:endpoint": auto.ConfigValue(endpoint),
        "smartag:accessKey": auto.ConfigValue(KEY["id"]),
        "smartag:secretKey": auto.ConfigValue(KEY["secret"], secret=True),
    })
