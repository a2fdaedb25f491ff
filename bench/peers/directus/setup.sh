#!/usr/bin/env bash
# Installs the Directus peer of the benchmark: directus@12.4.0 from npm, at
# the versions pinned by package-lock.json, into bench/work/directus (or the
# directory given as $1). Idempotent: does nothing when that install is
# already there. Loading the data and bootstrapping Directus are done by
# bench/peer_directus.go (see README.md); this script is never run by
# go test ./...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dest="${1:-$repo/bench/work/directus}"
version=12.4.0

command -v node >/dev/null || { echo "setup.sh: node is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup.sh: npm is required" >&2; exit 1; }

mkdir -p "$dest"
stamp="$dest/.installed"
want="directus@$version $(sha256sum "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-64)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$dest/node_modules/@directus/api/dist/cli/run.js" ]]; then
	echo "directus $version already installed in $dest"
	exit 0
fi

echo "installing directus $version into $dest (node $(node --version), npm $(npm --version))"
cp "$here/package.json" "$here/package-lock.json" "$dest/"
rm -f "$stamp"
# Directus 12 declares node >=22; it runs on node 20 for what the benchmark
# uses (the REST items API), so the engine warnings are expected.
(cd "$dest" && npm install --no-audit --no-fund --loglevel=error)
installed="$(node -p "require('$dest/node_modules/directus/package.json').version")"
if [[ "$installed" != "$version" ]]; then
	echo "setup.sh: installed directus $installed, want $version" >&2
	exit 1
fi
echo "$want" >"$stamp"
echo "directus $version installed in $dest"
