// Package cairn is the domain of Cairn, a self-hosted, AWS-wire-compatible CloudTrail.
//
// It holds the types every other package speaks in — the CloudTrail event record,
// identities, trails — and the interfaces that connect the layers: Clock, EventLog,
// MetaStore and CredentialStore. It imports only the standard library; every other
// package may import it, and it imports none of them.
package cairn
