#!/usr/bin/env bash
# CI step for `npm run test:hapi` (issue #19): the fhir-store contract suite, the mediators' integration tests
# and the end-to-end scenarios against a real HAPI FHIR JPA server (conformance/hapi, test-only), built with
# Maven from Maven Central (downloads cached in ~/.m2). Needs Java 17+ and Maven; run after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java mvn; do
  command -v "$tool" > /dev/null || { echo "test:hapi needs $tool (Java 17 and Maven)" >&2; exit 2; }
done
npm run test:hapi
