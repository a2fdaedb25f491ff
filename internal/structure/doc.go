// Package structure holds the structural tests that keep realty's layering:
// which packages may import which, which schemas a package's SQL may name,
// and that every constraint a domain registers exists in the schema. It has
// no code of its own; its tests run in go test ./... so a new package or
// domain is born held to the same rules.
package structure
