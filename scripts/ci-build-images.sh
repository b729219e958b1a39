#!/usr/bin/env bash
# CI: builds each of our three services exactly as docker/Dockerfile does (scripts/build-service.sh in
# a clean `git archive` export of HEAD: committed files only, as the image's build context), then
# starts each built dist/main.js with plain node and checks it answers: the mediators on GET /, the
# configurator by exiting 2 with a message naming OPENHIM_API_URL when no OpenHIM answers.
# Needs only node, npm and git. Usage: bash scripts/ci-build-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# the environment a built service starts with: nothing from this checkout's .env, loopback peers only
base_env=(env -i PATH="$PATH" HOME="$work" NODE_ENV=production LOG_LEVEL=warn)

check_mediator() {
  local service=$1 port_var=$2 dir=$3 port
  port=$(free_port)
  "${base_env[@]}" "$port_var=$port" \
    CHT_MEDIATOR_USERNAME=ci CHT_MEDIATOR_PASSWORD=ci-password-1 \
    OPENMRS_MEDIATOR_USERNAME=ci OPENMRS_MEDIATOR_PASSWORD=ci-password-1 \
    OPENMRS_HOST=127.0.0.1 OPENMRS_PORT=9 OPENMRS_USERNAME=admin OPENMRS_PASSWORD=x \
    CHT_URL=http://127.0.0.1:9 CHT_USERNAME=medic CHT_PASSWORD=x FHIR_URL=http://127.0.0.1:9/fhir \
    node "$dir/$service/dist/main.js" >"$work/$service.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    if answer=$(node -e "fetch('http://127.0.0.1:$port/').then(async (r) => { if (!r.ok) process.exit(1); console.log(await r.text()); }, () => process.exit(1))" 2>/dev/null); then
      echo "$service: node $service/dist/main.js answered GET / with $answer"
      return 0
    fi
    sleep 0.2
  done
  echo "$service: node $service/dist/main.js did not answer on port $port; its output:" >&2
  cat "$work/$service.log" >&2
  return 1
}

check_configurator() {
  local dir=$1 output status port
  port=$(free_port)
  set +e
  output=$("${base_env[@]}" OPENHIM_API_URL="http://127.0.0.1:$port" OPENHIM_CLIENT_PASSWORD=ci-password-1 \
    CHT_MEDIATOR_USERNAME=ci CHT_MEDIATOR_PASSWORD=ci-password-1 \
    OPENMRS_MEDIATOR_USERNAME=ci OPENMRS_MEDIATOR_PASSWORD=ci-password-1 CONFIGURATOR_WAIT_SECONDS=1 \
    node "$dir/configurator/dist/main.js" --check 2>&1)
  status=$?
  set -e
  if [[ $status -ne 2 || "$output" != *OPENHIM_API_URL* ]]; then
    echo "configurator: expected exit 2 naming OPENHIM_API_URL, got $status: $output" >&2
    return 1
  fi
  echo "configurator: node configurator/dist/main.js --check exited 2: $output"
}

for service in cht-mediator openmrs-mediator configurator; do
  dir="$work/$service"
  mkdir -p "$dir"
  git archive HEAD | tar -x -C "$dir"
  echo "== building $service as docker/Dockerfile does"
  (cd "$dir" && bash scripts/build-service.sh "$service")
  case "$service" in
    cht-mediator) check_mediator "$service" CHT_MEDIATOR_PORT "$dir" ;;
    openmrs-mediator) check_mediator "$service" OPENMRS_MEDIATOR_PORT "$dir" ;;
    configurator) check_configurator "$dir" ;;
  esac
done
echo "images: all three services build from a clean export and start"
