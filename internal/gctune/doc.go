// Package gctune bounds the Go garbage collector's headroom on a server whose live
// heap is large. Go lets the heap grow by as much as is live (GOGC=100) before it
// collects, so a server holding a large, long-lived index (the Event history) needs
// twice its memory. The garbage a server makes comes from its calls, and the room
// that garbage needs does not grow with the index: past Headroom of live heap, a
// Tuner lowers GOGC so that the heap grows by about Headroom between collections.
//
// It imports only the standard library. Only cmd/cairn starts a Tuner.
package gctune
