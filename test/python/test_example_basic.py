"""examples/basic-python under the real engine: its own program function and Pulumi.yaml (config
defaults included), run inline. The outputs are those test/e2e/examples.spec.ts expects of
examples/basic on the same fixture."""

import importlib.util

import pytest

from conftest import REPO, configure_default_provider

EXAMPLE = REPO / "examples" / "basic-python"
EXPECTED = {
    "instance": "sag-demo0001",
    "regionId": "cn-shanghai",
    "totalOnlineCount": 8,
    "userStatistics": [
        {"userName": "doctest", "onlineCount": 2},
        {"userName": "alice@example.com", "onlineCount": 0},
        {"userName": "bob.smith", "onlineCount": 5},
        {"userName": "carol_01", "onlineCount": 1},
    ],
}


def load_example_program():
    spec = importlib.util.spec_from_file_location("smartag_basic_example", EXAMPLE / "basic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="module")
def stack(new_stack, endpoint):
    stack = new_stack("basic", load_example_program(), project=EXAMPLE)
    configure_default_provider(stack, endpoint)
    yield stack
    stack.destroy(on_output=lambda _: None)


def plain(outputs) -> dict:
    values = {name: out.value for name, out in outputs.items()}
    assert len(values.pop("requestIds")) == 1
    return values


def test_up_exports_the_same_outputs_as_the_typescript_example(stack):
    assert plain(stack.up(on_output=lambda _: None).outputs) == EXPECTED


def test_refresh_keeps_them_and_destroy_cleans_up(stack):
    stack.refresh(on_output=lambda _: None)
    assert plain(stack.outputs()) == EXPECTED
    destroy = stack.destroy(on_output=lambda _: None)
    assert destroy.summary.result == "succeeded"
    assert stack.outputs() == {}
