#!/bin/sh
# Regenerates sdk/{nodejs,python,go} from provider/schema.json (`npm run gen:sdk`), with Pulumi's
# generators pinned in tools/gensdk/go.mod. `--check` fails when that changes any tracked file.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo/tools/gensdk"
go build -o "$repo/.tools/bin/gensdk" .
cd "$repo"
.tools/bin/gensdk -schema provider/schema.json -out sdk -overlays sdk/overlays -languages "${GENSDK_LANGUAGES:-nodejs,python,go}"
# The generator asks for sdk/v3 v3.30.0, which lacks packages its code imports, and tidy would then
# take whatever is latest; pin the runtime the Node.js SDK also runs on instead.
(cd sdk/go && go mod edit -require=github.com/pulumi/pulumi/sdk/v3@v3.248.0 && go mod tidy)
if [ "${1:-}" = "--check" ]; then
  if ! git diff --quiet -- sdk || [ -n "$(git ls-files --others --exclude-standard -- sdk)" ]; then
    git status --short -- sdk >&2
    echo "gen:sdk: the SDKs differ from what provider/schema.json generates; run 'npm run gen:sdk' and commit" >&2
    exit 1
  fi
fi
