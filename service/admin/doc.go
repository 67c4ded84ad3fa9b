// Package admin is the provider of Cairn's operator API (/_cairn/admin/<Action>):
// accounts, IAM users and access keys. Only the operator account's root may call it.
// Its calls are recorded as iam.amazonaws.com events, secrets hidden.
//
// It imports the root package, awsproto and identity.
package admin
