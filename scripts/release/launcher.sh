#!/bin/sh
# pulumi-resource-smartag from a release tarball: the plugin is the JavaScript file beside this one,
# run on the user's Node.js, which checks its own version first (a `node -v` here would cost a
# second Node.js start on every plugin start).
case $0 in
*/*) here=${0%/*} ;;
*) here=$(command -v "$0") && here=${here%/*} ;;
esac
if ! command -v node >/dev/null 2>&1; then
  echo "pulumi-resource-smartag: Node.js 20 or newer is required, and no 'node' was found on PATH" >&2
  exit 1
fi
exec node "$here/pulumi-resource-smartag.js" "$@"
