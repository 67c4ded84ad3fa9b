// Package versitygw runs a real S3 server, versitygw (github.com/versity/versitygw)
// with its posix backend, for tests of S3 delivery: the objstore/s3 conformance
// run and the e2e suite. Start finds the binary via $CAIRN_VERSITYGW, then PATH,
// then $(go env GOPATH)/bin; without it the test is skipped (install it with
// `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`), unless
// CAIRN_REQUIRE_VERSITYGW=1, which makes a missing binary fail the test.
//
// It is test support only: it takes a testing.TB and imports nothing of Cairn
// but the standard library.
package versitygw
