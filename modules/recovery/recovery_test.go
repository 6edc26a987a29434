package recovery_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guichet/app/audit"
	"guichet/app/codes"
)

var codeShape = regexp.MustCompile(`^[` + codes.Alphabet + `]{4}-[` + codes.Alphabet + `]{4}-[` + codes.Alphabet + `]{4}$`)

func TestCodesAreShownOnce(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")

	p := c.Get("/en/gckey/recovery/codes")
	expect(t, p, http.StatusOK, "")
	set := codesOn(p)
	if len(set) != 10 {
		t.Fatalf("first view: %d codes", len(set))
	}
	for _, s := range set {
		if !codeShape.MatchString(s) {
			t.Fatalf("code %q is not like K7QM-2XRD-94TB", s)
		}
	}
	if b := p.Doc.Find(`button[type="button"][data-print][hidden]`); b.Length() != 1 || !b.HasClass("btn-secondary") {
		t.Fatal("no print button for scripts to reveal")
	}
	if p.Doc.Find(`a[data-testid="download"][href="/en/gckey/recovery/codes.txt"]`).Length() != 1 {
		t.Fatal("no download link")
	}

	// A second view shows nothing secret, but the download still works.
	again := c.Get("/en/gckey/recovery/codes")
	expect(t, again, http.StatusOK, "")
	for _, s := range set {
		if strings.Contains(again.Body, s) {
			t.Fatal("second view shows a code")
		}
	}
	if again.Doc.Find(`[data-testid="already-shown"]`).Length() != 1 {
		t.Fatal("second view does not say the codes were shown")
	}
	dl := c.Get("/en/gckey/recovery/codes.txt")
	expect(t, dl, http.StatusOK, "")
	if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".txt") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(dl.Header.Get("Content-Type"), "text/plain") || dl.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download headers %q / %q", dl.Header.Get("Content-Type"), dl.Header.Get("Cache-Control"))
	}
	for _, s := range set {
		if !strings.Contains(dl.Body, s) {
			t.Fatalf("download lacks %s", s)
		}
	}

	// "I have saved my codes" forgets the readable copy.
	expect(t, c.Post("/en/gckey/recovery/codes", nil), http.StatusSeeOther, "/en/gckey/2fa/done")
	expect(t, c.Get("/en/gckey/recovery/codes.txt"), http.StatusSeeOther, "/en/gckey/recovery/codes")
	if p := c.Get("/en/gckey/recovery/codes"); p.Doc.Find(`[data-testid="not-shown"]`).Length() != 1 {
		t.Fatal("codes page after saving")
	}
	var n int
	e.DB.R.Get(&n, `SELECT COUNT(*) FROM recovery_shown`)
	if n != 0 {
		t.Fatal("readable copy kept after saving")
	}
}

func TestReadableCopyLastsFifteenMinutes(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	e.Fake.Advance(16 * time.Minute)
	// Not viewed yet, but too old to show or download.
	p := c.Get("/en/gckey/recovery/codes")
	if p.Doc.Find(`[data-testid="codes"]`).Length() != 0 || p.Doc.Find(`[data-testid="not-shown"]`).Length() != 1 {
		t.Fatal("codes shown after 15 minutes")
	}
	expect(t, c.Get("/en/gckey/recovery/codes.txt"), http.StatusSeeOther, "/en/gckey/recovery/codes")
	var n int
	e.DB.R.Get(&n, `SELECT COUNT(*) FROM recovery_shown`)
	if n != 0 {
		t.Fatal("expired copy kept after the codes page was seen")
	}
}

func TestRecoverAccountEndToEnd(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "ircc")
	setupApp(t, e, c, "en")
	old := shownCodes(t, c, "en")

	// Later, with the phone lost: password, then "Recover account".
	d := e.Client(t)
	signIn(t, d, "en", cred, "ircc")
	other := e.Client(t)
	signIn(t, other, "en", cred, "")
	expect(t, d.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/2fa/verify")
	p := d.Get("/en/gckey/recovery/recover")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`input#code[name="code"]`).Length() != 1 {
		t.Fatal("no code field")
	}
	// A code of the wrong shape is explained, not counted.
	p = d.Post("/en/gckey/recovery/recover", url.Values{"code": {"K7QM-2XRD"}})
	expect(t, p, http.StatusUnprocessableEntity, "")
	if p.Doc.Find(`.error-summary a[href="#code"]`).Length() != 1 {
		t.Fatal("no linked error")
	}
	if countEvents(t, e, cred, audit.SecondFactorFailed) != 0 {
		t.Fatal("shape error counted")
	}
	// Typed in lower case with spaces: still the code.
	typed := strings.ToLower(strings.ReplaceAll(old[3], "-", " "))
	expect(t, d.Post("/en/gckey/recovery/recover", url.Values{"code": {typed}}), http.StatusSeeOther, "/en/gckey/recovery/recovered")
	if m := lastMail(t, e); m.Subject != "A recovery code was used to sign in" {
		t.Fatalf("security mail %q", m.Subject)
	}
	if countEvents(t, e, cred, audit.RecoveryCodeUsed) != 1 {
		t.Fatal("recovery not recorded")
	}
	// The other session ended; this one is at level 2.
	expect(t, other.Get("/en/gckey/2fa/"), http.StatusSeeOther, "/en/gckey/")
	p = d.Get("/en/gckey/recovery/recovered")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`[data-remaining="9"]`).Length() != 1 {
		t.Fatalf("remaining: %q", p.Text(`[data-testid="remaining"]`))
	}
	if p.Doc.Find(`a[data-testid="change"][href="/en/gckey/2fa/setup"]`).Length() != 1 {
		t.Fatal("no way on to set up again")
	}
	// The used code is spent.
	f := e.Client(t)
	signIn(t, f, "en", cred, "")
	f.Get("/en/gckey/recovery/recover")
	expect(t, f.Post("/en/gckey/recovery/recover", url.Values{"code": {old[3]}}), http.StatusUnprocessableEntity, "")

	// Set up again (a fresh recovery counts as a check), then new codes.
	secret := setupApp(t, e, d, "en")
	fresh := shownCodes(t, d, "en")
	if len(fresh) != 10 || fresh[0] == old[0] {
		t.Fatal("no new set after setting up again")
	}
	expect(t, d.Post("/en/gckey/recovery/codes", nil), http.StatusSeeOther, "/en/gckey/2fa/done")
	expect(t, d.Post("/en/gckey/2fa/done", nil), http.StatusSeeOther, "/en/ircc/")

	// The old set no longer works; the new one does.
	g := e.Client(t)
	signIn(t, g, "en", cred, "")
	g.Get("/en/gckey/recovery/recover")
	expect(t, g.Post("/en/gckey/recovery/recover", url.Values{"code": {old[5]}}), http.StatusUnprocessableEntity, "")
	expect(t, g.Post("/en/gckey/recovery/recover", url.Values{"code": {fresh[5]}}), http.StatusSeeOther, "/en/gckey/recovery/recovered")
	_ = secret
}

func TestNewSetFromManagePage(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	old := shownCodes(t, c, "en")
	expect(t, c.Post("/en/gckey/recovery/codes", nil), http.StatusSeeOther, "/en/gckey/2fa/done")

	p := c.Get("/en/gckey/recovery/")
	expect(t, p, http.StatusOK, "")
	if p.Doc.Find(`[data-testid="remaining"][data-remaining="10"]`).Length() != 1 || p.Doc.Find(`[data-testid="low-warning"]`).Length() != 0 {
		t.Fatalf("manage page: %q", p.Text("main"))
	}
	expect(t, c.Post("/en/gckey/recovery/new", nil), http.StatusSeeOther, "/en/gckey/recovery/codes?then=manage")
	p = c.Get("/en/gckey/recovery/codes?then=manage")
	fresh := codesOn(p)
	if len(fresh) != 10 {
		t.Fatal("new set not shown")
	}
	if p.Doc.Find(`input[name="then"][value="manage"]`).Length() != 1 {
		t.Fatal("then not carried")
	}
	expect(t, c.Post("/en/gckey/recovery/codes", url.Values{"then": {"manage"}}), http.StatusSeeOther, "/en/gckey/recovery/")
	if m := lastMail(t, e); m.Subject != "You have new recovery codes" {
		t.Fatalf("security mail %q", m.Subject)
	}
	if countEvents(t, e, cred, audit.RecoveryCodesIssued) != 2 {
		t.Fatal("new set not recorded")
	}

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/recovery/recover")
	for _, s := range old {
		if p := d.Post("/en/gckey/recovery/recover", url.Values{"code": {s}}); p.StatusCode != http.StatusUnprocessableEntity && p.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("old code %s: %d", s, p.StatusCode)
		}
	}
}

func TestNewSetNeedsARecentCheck(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	c.Get("/en/gckey/recovery/")
	e.Fake.Advance(21 * time.Minute)
	expect(t, c.Post("/en/gckey/recovery/new", nil), http.StatusSeeOther, "/en/gckey/2fa/?next=codes")
}

func TestWarnsAtTwoCodesLeft(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	setupApp(t, e, c, "en")
	set := shownCodes(t, c, "en")
	for i := 0; i < 7; i++ {
		if ok, err := e.consume(cred, set[i]); err != nil || !ok {
			t.Fatalf("consume %d: %v %v", i, ok, err)
		}
	}
	p := c.Get("/en/gckey/recovery/")
	if p.Doc.Find(`[data-testid="low-warning"]`).Length() != 0 {
		t.Fatal("warned with 3 codes left")
	}
	e.consume(cred, set[7])
	p = c.Get("/en/gckey/recovery/")
	w := p.Doc.Find(`[data-testid="low-warning"][data-remaining="2"]`)
	if w.Length() != 1 || !strings.Contains(w.Text(), "You have 2 recovery codes left.") {
		t.Fatalf("no warning at 2 left: %q", p.Text("main"))
	}
	e.consume(cred, set[8])
	if p := c.Get("/fr/gckey/recovery/"); !strings.Contains(p.Text(`[data-testid="low-warning"]`), "Il vous reste 1 code de récupération.") {
		t.Fatalf("French warning at 1 left: %q", p.Text(`[data-testid="low-warning"]`))
	}
}

func TestWrongRecoveryCodesLock(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	cred := signIn(t, c, "en", "", "")
	secret := setupApp(t, e, c, "en")

	d := e.Client(t)
	signIn(t, d, "en", cred, "")
	d.Get("/en/gckey/recovery/recover")
	for i := 0; i < 9; i++ {
		expect(t, d.Post("/en/gckey/recovery/recover", url.Values{"code": {"AAAA-BBBB-CCCC"}}), http.StatusUnprocessableEntity, "")
	}
	p := d.Post("/en/gckey/recovery/recover", url.Values{"code": {"AAAA-BBBB-CCCC"}})
	expect(t, p, http.StatusTooManyRequests, "")
	if got := p.Text(`[data-testid="locked-until"]`); got != "You can try again after 10:10 a.m. Eastern time." {
		t.Fatalf("locked: %q", got)
	}
	// The two-factor page is locked too.
	expect(t, d.Get("/en/gckey/2fa/verify"), http.StatusTooManyRequests, "")
	e.Fake.Advance(10 * time.Minute)
	expect(t, d.Get("/en/gckey/2fa/verify"), http.StatusOK, "")
	expect(t, d.Post("/en/gckey/2fa/verify", url.Values{"code": {code(t, secret, e.Fake.Now())}}), http.StatusSeeOther, "/en/gckey/2fa/done")
}

func TestRecoveryPagesNeedTheRightLevel(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, p := range []string{"/en/gckey/recovery/", "/en/gckey/recovery/codes", "/en/gckey/recovery/codes.txt", "/en/gckey/recovery/recover", "/en/gckey/recovery/recovered"} {
		expect(t, c.Get(p), http.StatusSeeOther, "/en/gckey/")
	}
	signIn(t, c, "en", "", "")
	for _, p := range []string{"/en/gckey/recovery/", "/en/gckey/recovery/codes", "/en/gckey/recovery/codes.txt", "/en/gckey/recovery/recovered"} {
		expect(t, c.Get(p), http.StatusSeeOther, "/en/gckey/2fa/")
	}
	expect(t, c.Get("/en/gckey/recovery/recover"), http.StatusOK, "")
}

func TestLostPage(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, lang := range []string{"en", "fr"} {
		p := c.Get("/" + lang + "/gckey/recovery/lost")
		expect(t, p, http.StatusOK, "")
		if p.Doc.Find("html").AttrOr("lang", "") != lang || missingKey.FindString(p.Body) != "" {
			t.Fatalf("%s: lang or missing key", lang)
		}
		desk := p.Text(`[data-testid="desk"]`)
		for _, n := range []string{"1-855-438-1102", "1-855-438-1103", "1-800-2318-6290"} {
			if !strings.Contains(desk, n) {
				t.Errorf("%s: desk lacks %s", lang, n)
			}
		}
		if p.Doc.Find(`[data-testid="lost-steps"] li`).Length() != 4 {
			t.Errorf("%s: steps", lang)
		}
	}
}

var missingKey = regexp.MustCompile(`\[[a-z]+\.[a-z0-9_.]+\]`)
