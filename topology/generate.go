package topology

// The doc comments on the spec types are the user-facing reference. These
// steps copy them where the binary and docs/spec.md can use them; tests fail
// when either output is stale.
//go:generate go run gen_fielddocs.go
//go:generate go run gen_reference.go
