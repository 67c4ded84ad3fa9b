// Command stripmodels copies the botocore service models into models/ without their
// documentation text, so the generator's input stays small and reviewable.
//
// Usage (from the module root):
//
//	go run ./tools/stripmodels -src ../shared/models -dst models
//
// It reads every *.json and *.json.gz file in -src and writes <name>.json to -dst
// with every "documentation", "documentationUrl" and "examples" key removed at any
// depth (names of shapes, operations and members are never touched), keys sorted,
// and each shape, operation and paginator on one line.
//
// It imports only the standard library.
package main
