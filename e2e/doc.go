// Package e2e holds the end-to-end tests (build tag e2e): they build the cairn binary
// once, start it on a free loopback port with a temporary data directory, and drive
// it with the real AWS CLI and aws-sdk-go-v2 clients.
package e2e
