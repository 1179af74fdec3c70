#!/bin/sh
# Regenerates test/fixtures/govectors-<go version>-<GOARCH>.json with real Go.
#
# For each Go toolchain (Go 1.26 at /usr/local/go, Go 1.19 at /usr/lib/go-1.19;
# override with GOVECTORS_TOOLCHAINS="path/to/go ...") and each GOARCH
# (amd64: Go's wyrand; 386: Go's xorshift64+ fallback), builds main.go with
# `-overlay`, which adds testdata/overlay/runtime/*.go to package runtime and
# testdata/overlay/runtime/pprof/*.go to runtime/pprof, then runs it.
#
# Usage, from packages/profiling: sh govectors/generate.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$(cd "$here/.." && pwd)/test/fixtures"
toolchains=${GOVECTORS_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
for go in $toolchains; do
  goroot=$(GOTOOLCHAIN=local "$go" env GOROOT)
  ver=$(GOTOOLCHAIN=local "$go" env GOVERSION | sed -E 's/^(go[0-9]+\.[0-9]+).*/\1/')
  ov="$here/testdata/overlay"
  cat > "$tmp/overlay.json" <<JSON
{"Replace":{
 "$goroot/src/runtime/gomalloc_export.go":"$ov/runtime/gomalloc_export.go",
 "$goroot/src/runtime/gomalloc_export_go119.go":"$ov/runtime/gomalloc_export_go119.go",
 "$goroot/src/runtime/gomalloc_export_go126.go":"$ov/runtime/gomalloc_export_go126.go",
 "$goroot/src/runtime/pprof/gomalloc_export.go":"$ov/runtime/pprof/gomalloc_export.go"
}}
JSON
  for arch in amd64 386; do
    (cd "$here" && GOTOOLCHAIN=local GOFLAGS= GOARCH=$arch CGO_ENABLED=0 \
      "$go" build -overlay "$tmp/overlay.json" -o "$tmp/govectors-$arch" .)
    "$tmp/govectors-$arch" > "$out/govectors-$ver-$arch.json"
    echo "wrote $out/govectors-$ver-$arch.json"
  done
done
