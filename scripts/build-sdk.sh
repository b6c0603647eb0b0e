#!/bin/sh
# Compiles the generated Node.js SDK into sdk/nodejs/bin, the folder that is packed and linked,
# as Pulumi providers ship it: the generated package.json names no `main`, so it is copied in.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo/sdk/nodejs"
rm -rf bin
"$repo/node_modules/.bin/tsc" -p tsconfig.json
cp package.json README.md bin/
# Programs and tests in this checkout resolve `pulumi-smartag` to the compiled package.
ln -sfn ../sdk/nodejs/bin "$repo/node_modules/pulumi-smartag"
