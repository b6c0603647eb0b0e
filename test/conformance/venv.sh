#!/bin/sh
# Makes .venv/conformance with the pinned SDK; does nothing when it already matches requirements.txt.
set -eu
cd "$(dirname "$0")/../.."
venv=.venv/conformance
stamp="$venv/requirements.installed"
if [ -x "$venv/bin/python" ] && cmp -s test/conformance/requirements.txt "$stamp"; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check -q -r test/conformance/requirements.txt
cp test/conformance/requirements.txt "$stamp"
