#!/bin/sh
# Creates .venv/sdk with the Python SDK (sdk/python), pulumi and pytest for the Python tests
# (`npm run test:python`), and build + setuptools, which make the wheel and sdist of `npm run dist`.
# Idempotent: skipped while the SDK, the example's requirements and this script are unchanged since
# the last install.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd -P)
venv="$repo/.venv/sdk"
python=${PYTHON:-python3}
stamp="$venv/.installed"

# The example's requirements name the SDK by path: installing through them proves they work.
digest=$(cd "$repo" && find sdk/python examples/basic-python/requirements.txt scripts/python-venv.sh \
  -type f -not -path '*/__pycache__/*' -not -path '*.egg-info/*' -not -path '*/build/*' | sort |
  xargs cat | cksum)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$venv/bin/python" ]; then
  exit 0
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
(
  cd "$repo/examples/basic-python"
  "$venv/bin/python" -m pip install --quiet pulumi==3.272.0 pytest==9.2.0 build==1.6.1 setuptools==84.2.1 -r requirements.txt
)
# pip builds a local folder in place, and always reinstalls it: no stale SDK survives.
rm -rf "$repo/sdk/python/build" "$repo"/sdk/python/*.egg-info
echo "$digest" >"$stamp"
echo "python-venv: $venv ($("$venv/bin/python" -c 'import pulumi_smartag, importlib.metadata as m; print("pulumi", m.version("pulumi"), "pulumi_smartag", m.version("pulumi_smartag"))'))"
