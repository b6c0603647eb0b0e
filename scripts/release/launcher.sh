#!/bin/sh
# pulumi-resource-smartag from a release tarball: the plugin is the JavaScript bundle beside this
# file, run on the user's Node.js. `node -v` costs a few milliseconds, a failed start far more.
case $0 in
*/*) here=${0%/*} ;;
*) here=$(command -v "$0") && here=${here%/*} ;;
esac
if ! version=$(node -v 2>/dev/null); then
  echo "pulumi-resource-smartag: Node.js 20 or newer is required, and no 'node' was found on PATH" >&2
  exit 1
fi
major=${version#v}
major=${major%%.*}
case $major in
'' | *[!0-9]*) major=0 ;;
esac
if [ "$major" -lt 20 ]; then
  echo "pulumi-resource-smartag: Node.js 20 or newer is required, but 'node' on PATH is $version" >&2
  exit 1
fi
exec node "$here/pulumi-resource-smartag.js" "$@"
