// Package sigv4 verifies AWS Signature Version 4 on incoming requests, the server
// side of what every AWS SDK and the AWS CLI do when they sign a call.
//
// It accepts both forms a client may use: the Authorization header
// (AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…) and the presigned
// query string (X-Amz-Algorithm, X-Amz-Credential, …, X-Amz-Signature). Verify
// rebuilds the canonical request exactly as the signers do, derives the signing
// key from the secret a cairn.CredentialStore returns, and compares signatures in
// constant time. Scope peeks at the access key, region and service without
// verifying anything, so the gateway can route a request and record failed
// attempts.
//
// Failures are *Error values whose Kind says what went wrong; For turns one into
// the *awsproto.Error a given wire protocol reports (JSON services and query/XML
// services spell the same failure differently). No error or log line ever carries
// a secret, a computed signature or a canonical request.
//
// SigV4A (AWS4-ECDSA-P256-SHA256), which the CloudFront KeyValueStore clients
// sign every call with, is verified too, in both forms: the same
// canonical request plus the signed X-Amz-Region-Set header (or query
// parameter), a scope without a region, and an ECDSA P-256 signature checked
// against the public key derived from the access key pair as the AWS signers
// derive it (cached per access key). Result.RegionSet is the region set the
// signature covers; Result.Region is its region when it names exactly one, and
// empty for "*", patterns and lists, leaving the caller to choose (a global
// service records its home region). Streaming chunk signatures
// (STREAMING-AWS4-…-PAYLOAD) are rejected as unsupported.
//
// The package imports only the standard library, the root package and awsproto.
package sigv4
