package auth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"guichet/app/apptest"
	"guichet/app/identity"
	"guichet/modules/auth"
)

func TestAccountNeedsSecondFactor(t *testing.T) {
	e := start(t)
	u := e.demo(t, "account.owner", "owner@example.com")
	c := e.Client(t)
	// Signed out, GCKey's entry page is the chooser without partners.
	entry := c.Get("/en/gckey/?service=ircc")
	if entry.StatusCode != http.StatusOK || entry.Doc.Find(`[data-testid="partner-section"]`).Length() != 0 ||
		entry.Doc.Find(`a[data-testid="gckey-signin"][href="/en/gckey/signin?service=ircc"]`).Length() != 1 ||
		entry.Doc.Find(`a[data-testid="gckey-signup"][href="/en/gckey/signup?service=ircc"]`).Length() != 1 {
		t.Fatalf("entry page: %d", entry.StatusCode)
	}
	if got := c.Get("/en/test/pending").Body; got != "ircc||0" {
		t.Fatalf("pending service from the entry page: %q", got)
	}
	if p := c.Get("/en/gckey/?service=https://evil.example"); p.Doc.Find(`a[data-testid="gckey-signin"]`).AttrOr("href", "") != "/en/gckey/signin" {
		t.Fatal("entry page passed on an unknown service")
	}
	if p := c.Get("/en/gckey/account"); locate(p) != "/en/gckey/signin" {
		t.Fatalf("signed out: %q", locate(p))
	}
	signin(c, "en", u.username, u.password)
	if p := c.Get("/en/gckey/account"); locate(p) != "/en/gckey/signin" {
		t.Fatalf("password only: %q", locate(p))
	}
	if p := c.Get("/en/gckey/"); locate(p) != "/en/gckey/welcome" {
		t.Fatalf("entry at level 1: %q", locate(p))
	}
	c.Get("/en/test/mfa")
	if p := c.Get("/en/gckey/"); locate(p) != "/en/gckey/account" {
		t.Fatalf("entry at level 2: %q", locate(p))
	}
	p := c.Get("/en/gckey/account")
	if p.StatusCode != http.StatusOK || p.Text(`[data-testid="username"]`) != "account.owner" || p.Text(`[data-testid="email"]`) != "owner@example.com" {
		t.Fatalf("account page: %d %q", p.StatusCode, p.Text("main"))
	}
	for _, href := range []string{
		"/en/gckey/account/password", "/en/gckey/account/email", "/en/gckey/account/activity",
		"/en/gckey/account/sessions", "/en/gckey/account/close", "/en/gckey/2fa/?next=manage", "/en/gckey/recovery/",
	} {
		if p.Doc.Find(`[data-testid="account-links"] a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("account page lacks a link to %s", href)
		}
	}
	if p.Doc.Find(`form[data-testid="signout"]`).Length() != 1 {
		t.Error("no sign-out button")
	}

	// Changes need a second-factor check within 20 minutes.
	e.Fake.Advance(21 * time.Minute)
	if p := c.Get("/en/gckey/account"); p.StatusCode != http.StatusOK {
		t.Fatalf("account page after 21 minutes: %d", p.StatusCode)
	}
	for _, path := range []string{"/en/gckey/account/password", "/en/gckey/account/email", "/en/gckey/account/sessions", "/en/gckey/account/close"} {
		if p := c.Get(path); locate(p) != "/en/gckey/2fa/?next=account" {
			t.Errorf("GET %s: %d %q", path, p.StatusCode, locate(p))
		}
		if p := c.Post(path, url.Values{"password": {u.password}}); locate(p) != "/en/gckey/2fa/?next=account" {
			t.Errorf("POST %s: %d %q", path, p.StatusCode, locate(p))
		}
	}
	c.Get("/en/test/mfa")
	if p := c.Get("/en/gckey/account/password"); p.StatusCode != http.StatusOK {
		t.Fatalf("after a new check: %d", p.StatusCode)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := start(t)
	u := e.demo(t, "changing.pw", "change@example.com")
	other := e.Client(t)
	signinFull(t, other, u)
	c := e.Client(t)
	signinFull(t, c, u)
	c.Get("/en/gckey/account/password")

	before := e.snapshot(t)
	for _, bad := range []struct {
		current, pw, confirm string
		fields               []string
	}{
		{"", "", "", []string{"current", "password", "confirm"}},
		{u.password, "tiny", "tiny", []string{"password"}},
		{u.password, goodPassword + "x", goodPassword, []string{"confirm"}},
		{"not my password", goodPassword, goodPassword, []string{"current"}},
	} {
		p := c.Post("/en/gckey/account/password", url.Values{"current": {bad.current}, "password": {bad.pw}, "confirm": {bad.confirm}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", bad.fields, p.StatusCode)
		}
		wantErrors(t, p, bad.fields...)
		if p.Doc.Find(`input[type="password"][value!=""]`).Length() != 0 {
			t.Error("a password was sent back")
		}
	}
	e.unchanged(t, before, "bad password change")

	p := c.Post("/en/gckey/account/password", url.Values{"current": {u.password}, "password": {goodPassword}, "confirm": {goodPassword}})
	if locate(p) != "/en/gckey/account?done=password" {
		t.Fatalf("change: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	if got := other.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("other session survived: %q", got)
	}
	if got := c.Get("/en/test/pending").Body; got != "|"+u.cred+"|2" {
		t.Fatalf("this session ended: %q", got)
	}
	if p := c.Get("/en/gckey/account?done=password"); p.Doc.Find(`[data-testid="done"]`).Length() != 1 {
		t.Fatal("no confirmation")
	}
	ms := e.mails(t, "change@example.com")
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, "password was changed") || !strings.Contains(ms[0].BodyText, "Eastern time") {
		t.Fatalf("notice: %+v", ms)
	}
	if p := signin(e.Client(t), "en", u.username, goodPassword); locate(p) != "/en/gckey/welcome" {
		t.Fatal("new password refused")
	}
}

func TestChangeRecoveryEmail(t *testing.T) {
	e := start(t)
	u := e.demo(t, "moving.house", "old@example.com")
	c := e.Client(t)
	signinFull(t, c, u)
	c.Get("/fr/gckey/account/email")
	before := e.snapshot(t)
	for _, bad := range []string{"", "nope", "OLD@example.com"} {
		p := c.Post("/fr/gckey/account/email", url.Values{"email": {bad}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d", bad, p.StatusCode)
		}
		wantErrors(t, p, "email")
		noMissingKeys(t, "email change fr", p)
	}
	e.unchanged(t, before, "bad email change")
	if p := c.Get("/fr/gckey/account/email/confirm"); locate(p) != "/fr/gckey/account/email" {
		t.Fatalf("confirm before asking: %q", locate(p))
	}

	p := c.Post("/fr/gckey/account/email", url.Values{"email": {"new@example.com"}})
	if locate(p) != "/fr/gckey/account/email/confirm" {
		t.Fatalf("ask: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	code := e.lastCode(t, "new@example.com")
	c.Get("/fr/gckey/account/email/confirm")
	before = e.snapshot(t)
	p = c.Post("/fr/gckey/account/email/confirm", url.Values{"code": {wrongCode(code)}})
	wantErrors(t, p, "code")
	e.unchanged(t, before, "wrong email code")
	p = c.Post("/fr/gckey/account/email/confirm", url.Values{"code": {code}})
	if locate(p) != "/fr/gckey/account?done=email" {
		t.Fatalf("confirm: %d %q %s", p.StatusCode, locate(p), summary(p))
	}
	if got := c.Get("/fr/gckey/account").Text(`[data-testid="email"]`); got != "new@example.com" {
		t.Fatalf("email now %q", got)
	}
	old := e.mails(t, "old@example.com")
	if len(old) != 1 || old[0].Lang != "fr" || !strings.Contains(old[0].BodyText, "new@example.com") {
		t.Fatalf("old address not told: %+v", old)
	}
	if addr, lang, err := e.mod.Email(t.Context(), "gckey", u.cred); err != nil || addr != "new@example.com" || lang != "en" {
		t.Fatalf("Email: %q %q %v", addr, lang, err)
	}
	// Codes are limited per session (this one sent one already) and per
	// address, whichever comes first.
	for i := 0; i < 4; i++ {
		if p := c.Post("/fr/gckey/account/email", url.Values{"email": {"flood@example.com"}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %d: %d", i, p.StatusCode)
		}
	}
	p = c.Post("/fr/gckey/account/email", url.Values{"email": {"other@example.com"}})
	wantErrors(t, p, "email")
	c2 := e.Client(t)
	signinFull(t, c2, u)
	c2.Get("/en/gckey/account/email")
	if p := c2.Post("/en/gckey/account/email", url.Values{"email": {"Flood@example.com"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("fifth code to the address: %d", p.StatusCode)
	}
	p = c2.Post("/en/gckey/account/email", url.Values{"email": {"flood@example.com"}})
	wantErrors(t, p, "email")
	if !strings.Contains(summary(p), "5 codes") {
		t.Fatalf("summary %q", summary(p))
	}
	if n := len(e.mails(t, "flood@example.com")); n != 5 {
		t.Fatalf("%d codes to one address", n)
	}
}

func TestSignOutOtherSessions(t *testing.T) {
	e := start(t)
	u := e.demo(t, "many.places", "many@example.com")
	other := e.Client(t)
	signinFull(t, other, u)
	c := e.Client(t)
	signinFull(t, c, u)
	p := c.Get("/en/gckey/account/sessions")
	if !strings.Contains(p.Text(`[data-testid="others"]`), "1") {
		t.Fatalf("count: %q", p.Text(`[data-testid="others"]`))
	}
	if p := c.Post("/en/gckey/account/sessions", nil); locate(p) != "/en/gckey/account?done=sessions" {
		t.Fatalf("end: %d %q", p.StatusCode, locate(p))
	}
	if got := other.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("other session survived: %q", got)
	}
	if p := c.Get("/en/gckey/account"); p.StatusCode != http.StatusOK {
		t.Fatalf("this session ended: %d", p.StatusCode)
	}
	if ms := e.mails(t, "many@example.com"); len(ms) != 1 {
		t.Fatalf("notice: %d", len(ms))
	}
}

func TestCloseGCKey(t *testing.T) {
	e := start(t)
	u := e.demo(t, "leaving.now", "leave@example.com")
	other := e.Client(t)
	signinFull(t, other, u)
	c := e.Client(t)
	signinFull(t, c, u)
	if _, err := e.Pairwise.Pairwise(t.Context(), identity.Ref(u.cred), "ircc"); err != nil {
		t.Fatal(err)
	}
	c.Get("/en/gckey/account/close")
	before := e.snapshot(t)
	for _, bad := range []string{"", "wrong password"} {
		p := c.Post("/en/gckey/account/close", url.Values{"password": {bad}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d", bad, p.StatusCode)
		}
		wantErrors(t, p, "password")
	}
	e.unchanged(t, before, "bad close")
	p := c.Post("/en/gckey/account/close", url.Values{"password": {u.password}})
	if locate(p) != "/en/gckey/closed" {
		t.Fatalf("close: %d %q", p.StatusCode, locate(p))
	}
	if p := c.Get("/en/gckey/closed"); p.Doc.Find(`[data-testid="closed"]`).Length() != 1 {
		t.Fatal("closed page")
	}
	if got := c.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("still signed in: %q", got)
	}
	if got := other.Get("/en/test/pending").Body; got != "||0" {
		t.Fatalf("other session survived: %q", got)
	}
	if e.count(t, "app_pairwise") != 0 {
		t.Fatal("pairwise identifiers kept")
	}
	if e.count(t, "auth_credentials") != 1 {
		t.Fatal("credential row deleted: its username would be free")
	}
	if p := signin(e.Client(t), "en", u.username, u.password); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(summary(p), "not right") {
		t.Fatalf("closed GCKey signs in: %d", p.StatusCode)
	}
	if ms := e.mails(t, "leave@example.com"); len(ms) != 1 || !strings.Contains(ms[0].Subject, "closed") {
		t.Fatalf("notice: %+v", ms)
	}
}

func TestRecentActivity(t *testing.T) {
	e := start(t)
	u := e.demo(t, "watchful.one", "watch@example.com")
	signin(e.Client(t), "en", u.username, "wrong password here")
	e.Fake.Advance(time.Minute)
	c := e.Client(t)
	signinFull(t, c, u)
	p := c.Get("/en/gckey/account/activity")
	var rows [][]string
	p.Doc.Find(`[data-testid="activity"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		var r []string
		s.Find("td").Each(func(_ int, td *goquery.Selection) { r = append(r, strings.TrimSpace(td.Text())) })
		rows = append(rows, r)
	})
	if len(rows) != 3 {
		t.Fatalf("rows: %v", rows)
	}
	if rows[0][1] != "Signed in with your password" || rows[1][1] != "Wrong password entered" || rows[2][1] != "GCKey created" {
		t.Fatalf("events, newest first: %v", rows)
	}
	if rows[0][0] != "10:01 a.m. Tuesday, January 23, 2024 Eastern time" || rows[0][2] != "127.0.0.1" {
		t.Fatalf("row: %v", rows[0])
	}
	fr := c.Get("/fr/gckey/account/activity")
	if got := fr.Text(`[data-testid="activity"] tbody td`); !strings.Contains(got, "le mardi 23 janvier 2024 à 10\u00a0h\u00a001, heure de l'Est") {
		t.Fatalf("French date %q", got)
	}
	noMissingKeys(t, "activity fr", fr)
}

func TestEveryFormRefusesMissingCSRF(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, path := range []string{
		"/gckey/signup", "/gckey/signup/details", "/gckey/signup/verify", "/gckey/signup/resend",
		"/gckey/signin", "/gckey/signout", "/gckey/forgot-username", "/gckey/forgot-password", "/gckey/reset",
		"/gckey/account/password", "/gckey/account/email", "/gckey/account/email/confirm", "/gckey/account/sessions", "/gckey/account/close",
	} {
		for _, lang := range []string{"en", "fr"} {
			p := c.Post("/"+lang+path, url.Values{"csrf_token": {"forged"}, "username": {"x"}})
			if p.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without a valid token: %d", path, p.StatusCode)
			}
		}
	}
}

func TestPagesInBothLanguages(t *testing.T) {
	e := start(t)
	u := e.demo(t, "bilingual.user", "bi@example.com")
	anon := e.Client(t)
	c := e.Client(t)
	signinFull(t, c, u)
	c.Post("/en/gckey/account/email", url.Values{"email": {"bi2@example.com"}})
	s := e.Client(t)
	s.Get("/en/gckey/signup")
	s.Post("/en/gckey/signup", url.Values{"accept": {"yes"}})
	s.Get("/en/gckey/signup/details")
	s.Post("/en/gckey/signup/details", url.Values{"username": {"third.person"}, "password": {goodPassword}, "confirm": {goodPassword}, "email": {"third@example.com"}})
	anon.Get("/en/gckey/forgot-password")
	anon.Post("/en/gckey/forgot-password", url.Values{"username": {u.username}})
	link := strings.TrimPrefix(e.lastLink(t, "bi@example.com"), "/en")
	titles := map[string]string{}
	for _, lang := range []string{"en", "fr"} {
		for _, pg := range []struct {
			who  *apptest.Client
			path string
		}{
			{anon, "/gckey/"}, {anon, "/gckey/signin"}, {anon, "/gckey/signup"}, {s, "/gckey/signup/details"}, {s, "/gckey/signup/verify"},
			{anon, "/gckey/forgot-username"}, {anon, "/gckey/forgot-username/sent"}, {anon, "/gckey/forgot-password"},
			{anon, "/gckey/forgot-password/sent"}, {anon, link}, {anon, "/gckey/closed"},
			{c, "/gckey/welcome"}, {c, "/gckey/account"}, {c, "/gckey/account/activity"}, {c, "/gckey/account/password"},
			{c, "/gckey/account/email"}, {c, "/gckey/account/email/confirm"}, {c, "/gckey/account/sessions"}, {c, "/gckey/account/close"},
		} {
			p := pg.who.Get("/" + lang + pg.path)
			if p.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d", lang, pg.path, p.StatusCode)
				continue
			}
			if p.Doc.Find("html").AttrOr("lang", "") != lang {
				t.Errorf("%s %s: html lang", lang, pg.path)
			}
			noMissingKeys(t, lang+pg.path, p)
			h1 := p.Text("h1")
			if h1 == "" {
				t.Errorf("%s %s: no h1", lang, pg.path)
			}
			if lang == "fr" && titles[pg.path] == h1 && !strings.Contains(pg.path, "welcome") {
				t.Errorf("%s: same title in both languages: %q", pg.path, h1)
			}
			titles[pg.path] = h1
			p.Doc.Find("form").Each(func(_ int, f *goquery.Selection) {
				if f.Find(`input[name="csrf_token"]`).Length() != 1 {
					t.Errorf("%s %s: a form without CSRF", lang, pg.path)
				}
			})
			p.Doc.Find("input:not([type=hidden]):not([type=checkbox])").Each(func(_ int, in *goquery.Selection) {
				id, _ := in.Attr("id")
				if p.Doc.Find(`label[for="`+id+`"]`).Length() != 1 {
					t.Errorf("%s %s: input %q has no label", lang, pg.path, id)
				}
			})
		}
	}
}

func TestEmailAndDemo(t *testing.T) {
	e := start(t)
	u := e.demo(t, "exported.user", "export@example.com")
	if addr, lang, err := e.mod.Email(t.Context(), "gckey", strings.TrimPrefix(u.cred, "gckey:")); err != nil || addr != "export@example.com" || lang != "en" {
		t.Fatalf("bare id: %q %q %v", addr, lang, err)
	}
	if _, _, err := e.mod.Email(t.Context(), "cipo", u.cred); !errors.Is(err, auth.ErrNotGCKey) {
		t.Fatalf("other kind: %v", err)
	}
	if _, _, err := e.mod.Email(t.Context(), "gckey", "gckey:missing"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if addr, lang, err := auth.NewContacts(e.DB).Email(t.Context(), "gckey", u.cred); err != nil || addr != "export@example.com" || lang != "en" {
		t.Fatalf("contacts: %q %q %v", addr, lang, err)
	}
	if _, err := e.mod.CreateDemo(t.Context(), "demo.weak", "password", "d@example.com"); err == nil {
		t.Fatal("demo accepted a weak password")
	}
	if p := signin(e.Client(t), "en", "exported.user", u.password); locate(p) != "/en/gckey/welcome" {
		t.Fatal("demo GCKey does not sign in")
	}
}
