#!/bin/sh
# Vets and tests the Go modules (`npm run test:go`): the generated SDK, the Go example, and the Go
# programs run under the real engine (test/go needs `npm run build` and `npm run tools:pulumi`).
# go fetches the modules these need itself, checked against the committed go.sum files.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd -P)
for module in sdk/go examples/basic-go test/go; do
  echo "test:go: $module"
  # -count=1: test/go drives processes outside Go's view, so a cached pass proves nothing.
  (cd "$repo/$module" && go vet ./... && go test -count=1 ./...)
done
