// Package sts is the hand-written STS provider: GetCallerIdentity now; the identity
// issue adds roles and temporary credentials.
//
// It imports the root package, awsproto and its own api/sts.
package sts
