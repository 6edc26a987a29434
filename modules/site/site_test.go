package site_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/apptest"
	"guichet/app/mail"
	"guichet/modules"
)

func start(t *testing.T, o apptest.Options) *apptest.App {
	o.Mount = mountAll
	return apptest.New(t, o)
}

var mountAll = modules.Mount

func TestSplashOffersBothLanguages(t *testing.T) {
	a := start(t, apptest.Options{})
	p := a.Client(t).Get("/")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.StatusCode)
	}
	if p.Doc.Find(`a[href="/en/"][hreflang="en"]`).Length() != 1 || p.Doc.Find(`a[href="/fr/"][hreflang="fr"]`).Length() != 1 {
		t.Fatal("splash page lacks the two language choices")
	}
	if p.Doc.Find(`div[lang="fr"]`).Length() == 0 {
		t.Fatal("French text not marked lang=fr")
	}
}

func TestLandingListsServicesInBothLanguages(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)
	for lang, want := range map[string][]string{
		"en": {"GCKey", "IRCC secure account", "Provinces and territories portal", "Permanent Residence portal", "CIPO online services"},
		"fr": {"CléGC", "Compte sécurisé IRCC", "Portail des provinces et territoires", "Portail de résidence permanente", "Services en ligne de l'OPIC"},
	} {
		p := c.Get("/" + lang + "/")
		if p.Doc.Find("html").AttrOr("lang", "") != lang {
			t.Errorf("%s: html lang %q", lang, p.Doc.Find("html").AttrOr("lang", ""))
		}
		var got []string
		p.Doc.Find(`[data-testid="services"] h2 a`).Each(func(_ int, s *goquery.Selection) { got = append(got, strings.TrimSpace(s.Text())) })
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s services: %q", lang, got)
		}
		other := map[string]string{"en": "fr", "fr": "en"}[lang]
		if href := p.Doc.Find(`[data-testid="lang-toggle"]`).AttrOr("href", ""); href != "/"+other+"/" {
			t.Errorf("%s toggle: %q", lang, href)
		}
	}
}

func TestToggleKeepsPathAndQuery(t *testing.T) {
	a := start(t, apptest.Options{})
	p := a.Client(t).Get("/fr/signed-out?reason=timeout")
	if href := p.Doc.Find(`[data-testid="lang-toggle"]`).AttrOr("href", ""); href != "/en/signed-out?reason=timeout" {
		t.Fatalf("toggle %q", href)
	}
	if p.Doc.Find(`[data-testid="timed-out"]`).Length() != 1 {
		t.Fatal("timeout text missing")
	}
}

func TestInformationPagesExistInBothLanguages(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)
	for _, name := range []string{"terms", "privacy", "accessibility", "help"} {
		en, fr := c.Get("/en/"+name), c.Get("/fr/"+name)
		if en.StatusCode != 200 || fr.StatusCode != 200 {
			t.Fatalf("%s: %d / %d", name, en.StatusCode, fr.StatusCode)
		}
		if en.Text("h1") == fr.Text("h1") || en.Doc.Find("main p").Length() < 3 {
			t.Errorf("%s: h1 %q / %q", name, en.Text("h1"), fr.Text("h1"))
		}
		if en.Doc.Find(`footer a[href="/en/`+name+`"]`).Length() != 1 {
			t.Errorf("%s: not linked from the footer", name)
		}
	}
	if !strings.Contains(c.Get("/en/help").Body, "1-855-438-1102") {
		t.Error("help page lacks the Service Desk number")
	}
}

func TestEveryPageShowsDateModified(t *testing.T) {
	a := start(t, apptest.Options{})
	p := a.Client(t).Get("/fr/help")
	if got := p.Text(".date-modified dt"); got != "Date de modification :" {
		t.Fatalf("dt %q", got)
	}
	if d := p.Text(".date-modified time"); len(d) != 10 || d[4] != '-' {
		t.Fatalf("date %q is not ISO", d)
	}
}

func TestSessionExtendAndEnd(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)

	// Signed out: extending says so, to script and to form alike.
	c.Get("/en/test/signed-in")
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/en/session/extend", strings.NewReader(url.Values{"csrf_token": {c.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if p := c.Do(req); p.StatusCode != http.StatusUnauthorized {
		t.Fatalf("extend while signed out: %d", p.StatusCode)
	}

	c.Get("/en/test/sign-in")
	p := c.Get("/en/test/signed-in")
	dlg := p.Doc.Find(`dialog#session-timeout[data-warn-seconds="180"]`)
	if idle, _ := strconv.Atoi(dlg.AttrOr("data-idle-seconds", "")); dlg.Length() != 1 || idle < 1190 || idle > 1200 {
		t.Fatalf("signed-in page lacks the timeout dialog (idle %d)", idle)
	}
	var before time.Time
	if err := a.DB.R.Get(&before, `SELECT expiry FROM app_sessions`); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodPost, a.URL+"/en/session/extend", strings.NewReader(url.Values{"csrf_token": {c.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	p = c.Do(req)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `"remaining_seconds":1200`) {
		t.Fatalf("extend: %d %s", p.StatusCode, p.Body)
	}
	var after time.Time
	if err := a.DB.R.Get(&after, `SELECT expiry FROM app_sessions`); err != nil {
		t.Fatal(err)
	}
	if !after.After(before) {
		t.Fatal("Continue session did not move the stored expiry")
	}

	// Without script, the form returns to the page, and only to this site.
	p = c.Post("/en/session/extend", url.Values{"return": {"//evil.example/"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/en/" {
		t.Fatalf("extend redirect: %d %q", p.StatusCode, p.Header.Get("Location"))
	}

	p = c.Post("/en/session/end", url.Values{"reason": {"timeout"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/en/signed-out?reason=timeout" {
		t.Fatalf("end: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	if a.Count(t, "app_sessions") != 0 {
		t.Fatal("session row survived End session")
	}
	if c.Get("/en/test/signed-in").Doc.Find(`[data-testid="signed-in"]`).Length() != 0 {
		t.Fatal("still signed in after End session")
	}
}

func TestDevOutbox(t *testing.T) {
	a := start(t, apptest.Options{})
	c := a.Client(t)
	if p := c.Get("/en/dev/outbox"); p.Doc.Find(`[data-testid="outbox-empty"]`).Length() != 1 {
		t.Fatal("empty outbox not said")
	}
	err := a.DB.Tx(t.Context(), func(tx *sqlx.Tx) error {
		_, err := mail.Enqueue(t.Context(), tx, a.Clock.Now(), "guichet.test", mail.Message{
			To: "person@example.com", Subject: "Votre code", Lang: "fr",
			Text: "Votre code : 123456\nOuvrez https://guichet.example/fr/reset?t=abc pour continuer.",
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	list := c.Get("/fr/dev/outbox")
	link := list.Doc.Find(`[data-testid="outbox"] tbody a`)
	if link.Length() != 1 || strings.TrimSpace(link.Text()) != "Votre code" {
		t.Fatalf("outbox list: %q", list.Text(`[data-testid="outbox"]`))
	}
	msg := c.Get(link.AttrOr("href", ""))
	if msg.Doc.Find(`[data-testid="mail-body"] a[href="https://guichet.example/fr/reset?t=abc"]`).Length() != 1 {
		t.Fatalf("link in body not clickable: %s", msg.Text(`[data-testid="mail-body"]`))
	}
	if p := c.Get("/fr/dev/outbox/999"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("missing message: %d", p.StatusCode)
	}

	prodLike := start(t, apptest.Options{Config: func(c *app.Config) { c.DevOutbox = false; c.SMTPURL = "smtp://127.0.0.1:2525?tls=none" }})
	if p := prodLike.Client(t).Get("/en/dev/outbox"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("outbox exists without dev outbox: %d", p.StatusCode)
	}
}

const windows = `
[[window]]
id = "ircc-now"
services = ["ircc"]
start = 2024-01-23T09:00:00
end = 2024-01-23T11:30:00
message_en = "Applications already submitted are safe."
message_fr = "Les demandes déjà soumises sont en sécurité."

[[window]]
id = "gckey-soon"
services = ["gckey"]
start = 2024-01-29T23:00:00
end = 2024-01-30T05:30:00
`

// apptest.Start is 10:00 Eastern on Tuesday, January 23, 2024: inside the
// ircc window, and within a week of the gckey one.
func TestMaintenanceWindows(t *testing.T) {
	a := start(t, apptest.Options{Maintenance: windows})
	c := a.Client(t)

	for _, path := range []string{"/en/ircc/", "/en/ircc/applications/42", "/fr/ircc/"} {
		p := c.Get(path)
		if p.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("%s: status %d", path, p.StatusCode)
		}
		ra, err := strconv.Atoi(p.Header.Get("Retry-After"))
		if err != nil || ra < 90*60 || ra > 90*60+1 {
			t.Fatalf("%s: Retry-After %q", path, p.Header.Get("Retry-After"))
		}
	}
	fr := c.Get("/fr/ircc/")
	if fr.Text("h1") != "Service non accessible pour entretien" || !strings.Contains(fr.Text(`[data-testid="maintenance-until"]`), "11\u00a0h\u00a030") {
		t.Fatalf("French maintenance page: %q / %q", fr.Text("h1"), fr.Text(`[data-testid="maintenance-until"]`))
	}

	g := c.Get("/en/gckey/")
	if g.StatusCode != http.StatusOK {
		t.Fatalf("gckey: %d", g.StatusCode)
	}
	want := "This online service will be unavailable from 11:00 p.m. Monday, January 29, to 5:30 a.m. Tuesday, January 30, 2024 Eastern time for system maintenance."
	if got := g.Text(`[data-testid="maintenance-banner"] p`); got != want {
		t.Fatalf("banner\n got %q\nwant %q", got, want)
	}
	gfr := c.Get("/fr/gckey/")
	wantFR := "Ce service en ligne ne sera pas accessible du lundi 29 janvier à 23\u00a0h au mardi 30 janvier 2024 à 5\u00a0h\u00a030, heure de l'Est pour l'entretien du système."
	if got := gfr.Text(`[data-testid="maintenance-banner"] p`); got != wantFR {
		t.Fatalf("French banner\n got %q\nwant %q", got, wantFR)
	}

	landing := c.Get("/en/")
	if landing.StatusCode != http.StatusOK {
		t.Fatalf("landing: %d", landing.StatusCode)
	}
	if landing.Doc.Find(`[data-service="gckey"] [data-testid="maintenance-banner"]`).Length() != 1 ||
		landing.Doc.Find(`[data-service="ircc"] [data-testid="maintenance-banner"]`).Length() != 1 ||
		landing.Doc.Find(`[data-service="pt"] [data-testid="maintenance-banner"]`).Length() != 0 {
		t.Fatal("landing page does not show each window next to its service")
	}
	for _, path := range []string{"/healthz", "/readyz", "/en/pt/"} {
		if p := c.Get(path); p.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d during another service's window", path, p.StatusCode)
		}
	}

	// After the window, the service is back.
	a.Fake.Set(time.Date(2024, 1, 23, 16, 30, 0, 0, time.UTC))
	if p := c.Get("/en/ircc/"); p.StatusCode != http.StatusOK {
		t.Fatalf("after the window: %d", p.StatusCode)
	}
}
