#!/bin/sh
# Makes the pinned Pulumi CLI, our Node.js language host and the official YAML language host
# available in .tools/bin for the end-to-end tests and the demo (`npm run tools:pulumi`).
# Idempotent: silent when nothing to do.
#
# Why not the official installer: these machines reach package registries only. The CLI is built
# from Go modules (pinned in tools/pulumi/go.mod), and the official Node.js language host is not
# served by the Go proxy, so tools/langhost provides one; the CLI finds it next to its binary.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd -P)
bin="$repo/.tools/bin"
gomod="$repo/tools/pulumi/go.mod"
# The YAML host pins an older pkg/v3 than the CLI, so it is built from its own module, not tools/pulumi.
yaml_module=github.com/pulumi/pulumi-yaml
yaml_version=v1.25.0
langhost="$repo/tools/langhost/pulumi-language-nodejs"
# Oldest CLI we accept from PATH instead of building the pinned one. Older releases were not tried
# with tools/langhost, and @pulumi/pulumi 3.248's run scripts expect a recent engine.
min_version=3.139.0

say() { printf '%s\n' "tools:pulumi: $*"; }
die() {
  printf '%s\n' "tools:pulumi: $*" >&2
  exit 1
}

pinned=$(sed -n 's#^[[:space:]]*\(require[[:space:]]\{1,\}\)\{0,1\}github\.com/pulumi/pulumi/pkg/v3[[:space:]]\{1,\}\(v[0-9][^[:space:]]*\).*#\2#p' "$gomod" | head -n 1)
[ -n "$pinned" ] || die "cannot read the pinned github.com/pulumi/pulumi/pkg/v3 version from $gomod"

# Prints "vX.Y.Z" for a pulumi binary, or nothing if it cannot tell.
version_of() {
  PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n 1 | tr -d '[:space:]' || true
}

# True when $1 >= $2 (both X.Y.Z, with or without a leading v).
version_ge() {
  a=${1#v}
  b=${2#v}
  lowest=$(printf '%s\n%s\n' "$a" "$b" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)
  [ "$lowest" = "$b" ]
}

mkdir -p "$bin"
changed=false

current_ok=false
if [ -x "$bin/pulumi" ]; then
  current=$(version_of "$bin/pulumi")
  if [ "$current" = "$pinned" ]; then
    current_ok=true
  elif [ -L "$bin/pulumi" ] && [ -n "$current" ] && version_ge "$current" "$min_version"; then
    current_ok=true # linked from PATH by an earlier run
  fi
fi

if [ "$current_ok" = false ]; then
  on_path=""
  if command -v pulumi >/dev/null 2>&1; then
    on_path=$(command -v pulumi)
    # Our own symlink from an earlier run must not count as "a pulumi on PATH".
    case $(cd "$(dirname "$on_path")" && pwd -P) in "$bin") on_path="" ;; esac
  fi
  path_version=""
  if [ -n "$on_path" ]; then
    path_version=$(version_of "$on_path")
  fi

  if [ -n "$path_version" ] && version_ge "$path_version" "$min_version"; then
    say "using $on_path ($path_version) from PATH instead of building $pinned"
    ln -sf "$on_path" "$bin/pulumi"
  elif command -v go >/dev/null 2>&1; then
    # pkg/v3 needs a minimum Go (the go line of tools/pulumi/go.mod). An older Go either fails
    # deep in the build or, unless GOTOOLCHAIN=local, downloads a newer toolchain: say which.
    need_go=$(sed -n 's/^go[[:space:]]\{1,\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$gomod" | head -n 1)
    have_go=$(go env GOVERSION 2>/dev/null | sed 's/^go//; s/[^0-9.].*$//')
    if [ -n "$need_go" ] && [ -n "$have_go" ] && ! version_ge "$have_go" "$need_go"; then
      if [ "$(go env GOTOOLCHAIN 2>/dev/null)" = local ]; then
        die "Go $have_go is older than $need_go, which github.com/pulumi/pulumi/pkg/v3 $pinned needs, and GOTOOLCHAIN=local forbids fetching a newer one; install Go >= $need_go or put a Pulumi CLI >= $min_version on PATH"
      fi
      say "Go $have_go is older than $need_go: go will fetch toolchain go$need_go through the module proxy first"
    fi
    say "building the Pulumi CLI $pinned from Go modules into $bin (a cold build takes several minutes)"
    # Without -X the binary reports an empty version, and version checks in the engine
    # (requiredPulumiVersion, SDK minimums) would see no version at all.
    rm -f "$bin/pulumi"
    (
      cd "$repo/tools/pulumi"
      GOBIN="$bin" go install \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pinned" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    ) || die "go install of github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$pinned failed (see above)"
  else
    if [ -n "$on_path" ]; then
      die "$on_path reports '${path_version:-no version}', older than $min_version, and Go is not installed to build $pinned; install Go (https://go.dev/dl/) or a Pulumi CLI >= $min_version"
    fi
    die "no Pulumi CLI found and Go is not installed; install Go (https://go.dev/dl/) so the pinned CLI $pinned can be built, or put a Pulumi CLI >= $min_version on PATH"
  fi
  changed=true
fi

# The official YAML language host. `go version -m` reads the module version the binary was built from.
yaml_host="$bin/pulumi-language-yaml"
if command -v go >/dev/null 2>&1; then
  if ! go version -m "$yaml_host" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]\{1,\}$yaml_module[[:space:]]\{1,\}$yaml_version[[:space:]]"; then
    say "building pulumi-language-yaml $yaml_version from Go modules into $bin (about two minutes cold)"
    rm -f "$yaml_host"
    GOBIN="$bin" go install "$yaml_module/cmd/pulumi-language-yaml@$yaml_version" ||
      die "go install of $yaml_module/cmd/pulumi-language-yaml@$yaml_version failed (see above)"
    changed=true
  fi
elif [ ! -x "$yaml_host" ]; then
  say "note: Go is not installed, so the YAML language host $yaml_version was not built; YAML programs need pulumi-language-yaml"
fi

# The CLI looks for bundled language hosts next to its own (symlink-resolved) binary and on PATH;
# tests put .tools/bin first on PATH so this one wins either way.
if [ "$(readlink "$bin/pulumi-language-nodejs" 2>/dev/null || true)" != "$langhost" ]; then
  ln -sf "$langhost" "$bin/pulumi-language-nodejs"
  changed=true
fi
# Dynamic providers (pulumi.dynamic) run as the plugin pulumi-resource-pulumi-nodejs, which the
# official CLI distribution bundles and a Go build lacks; @pulumi/pulumi ships the same script.
dynamic="$repo/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ -f "$dynamic" ] && [ "$(readlink "$bin/pulumi-resource-pulumi-nodejs" 2>/dev/null || true)" != "$dynamic" ]; then
  ln -sf "$dynamic" "$bin/pulumi-resource-pulumi-nodejs"
  changed=true
elif [ ! -f "$dynamic" ]; then
  say "note: run 'npm ci' first: $dynamic (the dynamic-provider plugin) is missing"
fi
if [ ! -f "$repo/dist/tools/langhost/main.js" ]; then
  say "note: run 'npm run build' before using the language host (dist/tools/langhost/main.js is missing)"
fi

if [ "$changed" = true ]; then
  say "pulumi: $bin/pulumi ($(version_of "$bin/pulumi"))"
  say "language host: $bin/pulumi-language-nodejs -> $langhost"
  say "dynamic providers: $bin/pulumi-resource-pulumi-nodejs -> $dynamic"
  [ ! -x "$yaml_host" ] || say "YAML language host: $yaml_host ($yaml_version)"
fi
