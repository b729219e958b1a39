#!/usr/bin/env bash
# CI step for `npm run test:hapi` (issue #19): the fhir-store contract suite, the mediators' integration tests
# and the end-to-end scenarios against a real HAPI FHIR JPA server (conformance/hapi, test-only), built with
# Maven from Maven Central (downloads cached in ~/.m2). HAPI runs on PostgreSQL, as in production: from
# Debian's packages (installed when missing), a throwaway cluster on a free loopback port, removed at the
# end. If PostgreSQL cannot be had, HAPI runs on H2 in memory, and this says so. Needs Java 17+ and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in java mvn; do
  command -v "$tool" > /dev/null || { echo "test:hapi needs $tool (Java 17 and Maven)" >&2; exit 2; }
done

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }

start_postgres() {
  local bin=$1 dir port
  dir=$(mktemp -d)
  [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  as_postgres "'$bin/initdb' -D '$dir/data' -U hapi --auth=trust" > /dev/null || return 1
  # shellcheck disable=SC2064 # expand now: the cluster to stop is this one
  trap "as_postgres \"'$bin/pg_ctl' -D '$dir/data' -m fast stop\" > /dev/null 2>&1 || true; rm -rf '$dir'" EXIT
  as_postgres "'$bin/pg_ctl' -D '$dir/data' -l '$dir/postgres.log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off\" start" > /dev/null || return 1
  as_postgres "'$bin/createdb' -h 127.0.0.1 -p $port -U hapi hapi" || return 1
  export HAPI_DB_URL="jdbc:postgresql://127.0.0.1:$port/hapi" HAPI_DB_USERNAME=hapi
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for HAPI at 127.0.0.1:$port"
}

if [[ -z "$(pg_bin)" ]] && command -v apt-get > /dev/null; then
  echo "installing PostgreSQL from Debian's packages"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null) ||
    echo "could not install PostgreSQL" >&2
fi
if [[ -z "$(pg_bin)" ]] || ! start_postgres "$(pg_bin)"; then
  echo "test:hapi: PostgreSQL could not be started here; HAPI runs on H2 in memory instead" >&2
  unset HAPI_DB_URL HAPI_DB_USERNAME
fi
npm run test:hapi
