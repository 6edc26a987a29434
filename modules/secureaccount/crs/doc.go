// Package crs computes an Express Entry Comprehensive Ranking System score
// with the grid in force in 2025, as written down in shared/design/CRS.md.
//
// It is a pure calculation, with no storage, no I/O and no clock: the
// caller works out the age on the day that counts (see Profile.Age), so a
// profile always scores the same. Scoring does not allocate, which keeps
// rescoring a large pool cheap.
package crs
