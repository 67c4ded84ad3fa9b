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

# A real S3 server for the object store and delivery tests: versitygw (Apache-2.0).
VERSITYGW_VERSION=v1.8.0
if ! command -v versitygw >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/versitygw" ]; then
  echo "== installing versitygw $VERSITYGW_VERSION (about 90 s, once)"
  go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
fi
export CAIRN_REQUIRE_VERSITYGW=1

# DuckDB, to query delivered trail files as the README shows (the node package ships
# DuckDB's engine; PyPI is not reachable here).
export CAIRN_DUCKDB_NODE_DIR="${CAIRN_DUCKDB_NODE_DIR:-$HOME/.cache/cairn/duckdb-node}"
if [ ! -d "$CAIRN_DUCKDB_NODE_DIR/node_modules/@duckdb/node-api" ]; then
  command -v npm >/dev/null 2>&1 || { echo "test.sh: npm is required to install DuckDB for the tests" >&2; exit 1; }
  echo "== installing DuckDB for node into $CAIRN_DUCKDB_NODE_DIR (once)"
  mkdir -p "$CAIRN_DUCKDB_NODE_DIR"
  (cd "$CAIRN_DUCKDB_NODE_DIR" && npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1)
fi
export CAIRN_REQUIRE_DUCKDB=1

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
