#!/usr/bin/env bash
# Builds one service for production, in the folder it is run from (a copy of the repository):
# installs only the service's and common's dependencies, compiles both, drops dev dependencies and
# sources. docker/Dockerfile runs exactly this, and CI (scripts/ci-build-images.sh) runs it on a clean
# `git archive` export, then starts the result with plain node.
# Usage: bash scripts/build-service.sh cht-mediator|openmrs-mediator|configurator
set -euo pipefail
service=${1:-}
case "$service" in
  cht-mediator | openmrs-mediator | configurator) ;;
  *)
    echo "usage: bash scripts/build-service.sh cht-mediator|openmrs-mediator|configurator (got '${service}')" >&2
    exit 2
    ;;
esac
npm ci --workspace common --workspace "$service" --include-workspace-root --ignore-scripts --no-audit --no-fund
npx tsc -b "$service"
# a fresh install of the runtime dependencies only (npm prune keeps most of the root's dev tools)
rm -rf node_modules
npm ci --omit=dev --workspace common --workspace "$service" --ignore-scripts --no-audit --no-fund
rm -rf "$service/src" common/src
# what the image keeps: node_modules, package.json, common/ and the service's folder
find . -mindepth 1 -maxdepth 1 ! -name node_modules ! -name package.json ! -name common ! -name "$service" \
  -exec rm -rf {} +
test -f "$service/dist/main.js"
echo "built $service: $(du -sh . | cut -f1)"
