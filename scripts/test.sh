#!/usr/bin/env bash
# Runs every test of Cairn: vet, unit and integration tests, short fuzz runs, and the
# end-to-end suite that drives the built binary with the real AWS CLI and the SDK.
# It installs what the tests need when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests need: Go (on the machine), the AWS CLI v1 (on the machine image).
if ! command -v aws >/dev/null 2>&1; then
  echo "test.sh: the AWS CLI is required for the end-to-end tests" >&2
  if command -v pip >/dev/null 2>&1; then pip install awscli || true; fi
fi
command -v aws >/dev/null 2>&1 || { echo "test.sh: no aws CLI; cannot run the end-to-end suite" >&2; exit 1; }

export GOFLAGS="${GOFLAGS:--count=1}"

echo "== go vet"
go vet ./...
go vet -tags e2e ./e2e/...

echo "== fuzz (short runs)"
fuzz() { # package target iterations (a count, not a duration: golang/go#75804)
  go test -run='^$' -fuzz="^$2\$" -fuzztime="$3x" "$1" >/dev/null
  echo "fuzz $2: ok"
}
fuzz ./awsproto/awsjson FuzzAWSJSONDecode 100000
fuzz ./awsproto/sigv4 FuzzSigV4ParseAuthorization 100000
fuzz ./awsproto/sigv4 FuzzPresignedQuery 100000
fuzz ./history FuzzNextToken 100000
fuzz ./awsproto/rest FuzzRESTXMLRoute 50000
fuzz ./awsproto/sigv4 FuzzSigV4AAuthorization 2000
fuzz ./eventlog FuzzDecodeMeta 50000

echo "== unit and integration tests"
go test -race ./...

echo "== end-to-end (AWS CLI and aws-sdk-go-v2 against the built binary)"
go test -tags e2e -timeout 20m ./e2e/...
