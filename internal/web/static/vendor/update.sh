#!/usr/bin/env bash
# Re-fetches the vendored front-end files from the npm registry at exactly the
# pinned versions (see ../VENDORED.md) and copies the same files here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
fetch() { # package@version dir
  local tgz
  tgz=$(npm pack "$1" 2>/dev/null | tail -1)
  mkdir -p "$2" && tar xzf "$tgz" -C "$2"
}
fetch htmx.org@2.0.11 htmx
fetch @picocss/pico@2.1.1 pico
fetch swagger-ui-dist@5.35.0 swagger
fetch chart.js@4.6.1 chartjs
mkdir -p "$here"/{htmx,pico,swagger-ui,chartjs}
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$here/htmx/"
cp pico/package/css/pico.min.css "$here/pico/" && cp pico/package/LICENSE.md "$here/pico/LICENSE"
cp swagger/package/swagger-ui.css swagger/package/swagger-ui-bundle.js swagger/package/swagger-ui-bundle.js.LICENSE.txt \
   swagger/package/favicon-32x32.png swagger/package/LICENSE swagger/package/NOTICE "$here/swagger-ui/"
cp chartjs/package/dist/chart.umd.min.js "$here/chartjs/" && cp chartjs/package/LICENSE.md "$here/chartjs/LICENSE"
(cd "$here" && sha256sum htmx/* pico/* swagger-ui/* chartjs/*)
