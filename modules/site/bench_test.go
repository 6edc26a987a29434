package site_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"guichet/app/apptest"
)

// BenchmarkLanding measures the landing page through the whole middleware
// stack, without the network.
func BenchmarkLanding(b *testing.B) {
	a := apptest.New(b, apptest.Options{Mount: mountAll})
	req := httptest.NewRequest(http.MethodGet, "/en/", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		a.Server.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkSignedInPage measures a page that loads the session from the
// database and renders the timeout dialog.
func BenchmarkSignedInPage(b *testing.B) {
	a := apptest.New(b, apptest.Options{Mount: mountAll})
	c := a.Client(b)
	c.Get("/en/test/sign-in")
	cookie := &http.Cookie{Name: "guichet_session", Value: c.Cookie("guichet_session")}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/en/help", nil)
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		a.Server.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
			b.Fatal(w.Code)
		}
	}
}
