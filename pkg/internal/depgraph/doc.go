// Package depgraph holds no code used by pedigree: its test checks the
// package graph against the import table of docs/architecture.md, so that
// the documented layering and the code cannot drift apart.
package depgraph
