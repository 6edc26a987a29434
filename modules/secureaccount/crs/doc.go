// Package crs computes an Express Entry Comprehensive Ranking System score
// with the grid in force in 2025, as written down in shared/design/CRS.md.
//
// It is a pure calculation: no storage, no I/O, and no allocation on the
// scoring path, so it can be called on every keystroke of a form.
package crs
