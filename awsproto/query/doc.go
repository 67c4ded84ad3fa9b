// Package query is the AWS query protocol codec (STS, IAM): form parameters
// (Name=..., A.B=..., Names.member.1=..., Attrs.entry.1.key=...) decoded into generated
// input shapes by their xml struct tags, and the XML response and error envelopes.
// Reflection is confined to this codec; dispatch stays in the generated tables.
//
// It imports only the standard library and awsproto; never api/*, service/* or gateway.
package query
