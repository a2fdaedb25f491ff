#!/usr/bin/env bash
# Builds the PocketBase peer of the benchmark: pbbench (main.go, PocketBase
# embedded as a Go framework at the version pinned by go.mod) into
# bench/work/pocketbase/pbbench (or <dir>/pbbench for a directory given as $1).
# Idempotent: does nothing when that binary was built from the same sources
# with the same Go. Loading the data and serving are done by
# bench/peer_pocketbase.go through `pbbench load` and `pbbench serve` (see
# README.md); this script is never run by go test ./...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dest="${1:-$repo/bench/work/pocketbase}"
go=/usr/local/go/bin/go

[[ -x "$go" ]] || { echo "setup.sh: $go is required" >&2; exit 1; }

mkdir -p "$dest"
bin="$dest/pbbench"
stamp="$dest/.built"
version="$(cd "$here" && GOTOOLCHAIN=local "$go" list -m -f '{{.Version}}' github.com/pocketbase/pocketbase)"
want="pocketbase $version $("$go" version | cut -d' ' -f3) $(cd "$here" && sha256sum go.mod go.sum ./*.go | sha256sum | cut -c1-64)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$bin" ]]; then
	echo "pbbench (pocketbase $version) already built in $bin"
	exit 0
fi

echo "building pbbench (pocketbase $version, $("$go" version | cut -d' ' -f3)) into $bin"
rm -f "$stamp"
(cd "$here" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 "$go" build -trimpath -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
echo "pbbench (pocketbase $version) built in $bin"
