// Package validate checks a trail's log files and digest files the way
// `aws cloudtrail validate-logs` (AWS CLI v1, awscli/customizations/cloudtrail)
// does, so that Cairn can verify what it delivered without Python and without
// AWS.
//
// Run lists the trail's digest files in the requested window, walks their chain
// from the newest back to the oldest, verifies each digest's RSA signature with
// the keys of a cairn.KeySource, and compares every log file a valid digest lists
// with its SHA-256 hash. It prints what the CLI prints, line for line: the
// startup line, with Verbose one line per valid file, one line per invalid file
// or gap (on ErrOut), and the summary; and it counts the results so callers can
// exit with the CLI's status (Result.ExitCode).
//
// The steps, checks and messages follow the CLI (spec §6.5). Where the CLI
// reaches S3 and CloudTrail itself, Run asks a cairn.ObjectStore and a
// cairn.KeySource; the command `cairn validate-logs` wires them to S3 (or a
// local bucket directory) and to CloudTrail's ListPublicKeys. Known
// differences from the CLI are listed on Run.
//
// Package validate imports only the root package and the standard library.
package validate
