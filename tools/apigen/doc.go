// Command apigen generates the protocol layer of one AWS service, api/<pkg>/*_gen.go,
// from its model in models/. It runs from go:generate in api/<pkg>/doc.go:
//
//	//go:generate go run ../../tools/apigen -service cloudtrail
//
// Flags: -service (required; a key of the services table in config.go, which also
// holds the per-service settings the model lacks, such as the error unimplemented
// operations answer), -models (default: models/ at the module root above the working
// directory) and -out (default: the working directory). Stale *_gen.go files in -out
// are removed.
//
// Per service it writes service_gen.go (constants, Service, UnimplementedService,
// Operations, NewInput, Invoke), types_gen.go (structures, enums), validate_gen.go
// (Validate methods, patterns) and errors_gen.go (error constructors, Errors). For
// rest-xml and rest-json services Operation is awsproto/rest.Operation, and the table
// also carries each operation's payload members and their types, the XML root
// element and namespace of its request body and the root of its response body
// (rest.go); XMLNamespace then falls back to the namespace the operations declare. The
// generator covers every shape type and protocol trait of the six models in models/
// (TestGenerate_AllServices type-checks all of them); TestGenerated_Fresh fails when
// the committed packages are stale.
//
// It imports only the standard library.
package main
