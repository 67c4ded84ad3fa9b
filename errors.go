package cairn

import "errors"

// Sentinel errors callers branch on.
var (
	ErrNotFound         = errors.New("not found")
	ErrExists           = errors.New("already exists")
	ErrRevisionMismatch = errors.New("revision mismatch")
	ErrClosed           = errors.New("closed")
)
