// Package e2e holds Guichet's browser tests: chromedp drives Debian's
// chromium against a real application started with apptest, and axe-core
// (installed with npm at the repository root) checks each page.
//
// Run them with
//
//	npm ci && GUICHET_E2E=1 go test ./e2e/
//
// Without chromium or axe-core, or with -short, the tests are skipped,
// unless GUICHET_E2E=1 asks for them, in which case a missing browser or
// axe-core is an error. They take about four and a half minutes on two
// cores, much of it waiting on the session timeout dialog's timers and
// running axe.
//
// Besides the public pages, GCKey and the Sign-In Partners, they cover the
// IRCC secure account (secureaccount_test.go: enrolment, Express Entry,
// letters, documents, applications, reports and linking) and the staff
// console (staff_test.go), seeding through the modules (modules.Setup)
// what a test is not about.
//
// The load benchmark lives in e2e/load.
package e2e
