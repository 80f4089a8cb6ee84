#!/usr/bin/env bash
# The main job: set everything up (tools/setup.sh), build and push every non-deprecated service's
# multi-arch image to the local registry, then print what landed (read back from the registry).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
# shellcheck disable=SC1091
source "${NX_MULTIARCH_CACHE:-$HOME/.cache/nx-multiarch}/sandbox.env"
# NX_ISOLATE_PLUGINS=false: plugins load in nx's own process, seconds faster per nx start (README, "Speed").
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true NX_ISOLATE_PLUGINS="${NX_ISOLATE_PLUGINS:-false}"
echo "==> nx run-many -t docker-push (deprecated services have no docker-push target)"
npx nx run-many -t docker-push --parallel="${PARALLEL:-2}" --outputStyle=stream
echo "==> what landed in the registry"
node -r @swc-node/register tools/show-landed.ts
echo "==> multi-arch status page (docs/MULTI_ARCH_STATUS.md, written from image.json, push records and docker-lint)"
npx nx g nx-multiarch:status --check --no-interactive
