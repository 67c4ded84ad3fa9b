// Package awsjson is the awsJson1_1 wire codec (CloudTrail): X-Amz-Target parsing,
// request body decoding into generated input shapes, and the response and error
// envelopes. It knows nothing about any particular service: the gateway passes it the
// service's TargetPrefix and the generated input and output values.
//
// It imports only the standard library and awsproto; never api/*, service/* or gateway.
package awsjson
