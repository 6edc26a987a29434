package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"guichet/app/apptest"
	"guichet/app/mail"
)

// The GCKey browser tests drive sign-up, sign-in, the second factor and
// recovery codes the way a person does: typing into the fields, pressing
// Enter or a button, reading codes from the development outbox and from
// an authenticator computed here. Each flow gets its own application (so
// counters and locks of one never touch another) and its own browser
// contexts.

// gckeyLangs are the two official languages every flow runs in.
var gckeyLangs = []string{"en", "fr"}

// gckeyUser is a person with a GCKey, as the tests know them.
type gckeyUser struct {
	Lang     string
	Username string
	Password string
	Email    string
	// App is the authenticator, nil when the method is email.
	App *authenticator
	// Codes are the recovery codes last saved.
	Codes []string
	// quick is set while provisionGCKey sets the person up: fields are
	// filled in one go instead of typed.
	quick bool
}

// newGCKeyUser makes up a person: a fresh username, a passphrase that
// passes the policy, and an address of their own.
func newGCKeyUser(lang string) *gckeyUser {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	return &gckeyUser{
		Lang:     lang,
		Username: "e2e." + lang + "." + id,
		Password: "Amber lanterns drift over Lac-Brome " + id[:4],
		Email:    "person." + id + "@example.test",
	}
}

// authenticator is the person's authenticator app: it shows the code of
// the current 30-second step, and knows which step the server accepted
// last, since a code for a step already accepted is refused.
type authenticator struct {
	secret string
	last   int64
}

const totpPeriod = 30

// code returns a code the server will accept now: for the current step,
// or the next one (one step of drift is accepted) when the current step
// was used already. When even the next step was used, it waits for the
// step after that to begin.
func (g *authenticator) code(t testing.TB, ctx context.Context) string {
	t.Helper()
	step := time.Now().Unix() / totpPeriod
	s := max(g.last+1, step)
	if s > step+1 {
		sleepUntil(t, ctx, time.Unix((s-1)*totpPeriod+1, 0))
	}
	g.last = s
	return g.at(t, s)
}

func (g *authenticator) at(t testing.TB, step int64) string {
	t.Helper()
	c, err := totp.GenerateCode(g.secret, time.Unix(step*totpPeriod, 0))
	if err != nil {
		t.Fatalf("computing an authenticator code: %v", err)
	}
	return c
}

// wrong returns a 6-digit code that matches none of the steps the server
// could accept now.
func (g *authenticator) wrong(t testing.TB) string {
	t.Helper()
	step := time.Now().Unix() / totpPeriod
	valid := map[string]bool{}
	for s := step - 2; s <= step+2; s++ {
		valid[g.at(t, s)] = true
	}
	for _, c := range []string{"123456", "654321", "111222"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// emptyField empties a field, as a person selecting what is there and
// deleting it. chromedp.SetValue cannot set "" (it reads the value back
// and takes the empty answer for a failure), so it is done in the page.
func emptyField(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if !eval[bool](t, ctx, `(() => { const e = document.querySelector(`+js(sel)+`); if (!e) return false; e.value = ""; return true; })()`) {
		t.Fatalf("no field %s on %s", sel, where(ctx))
	}
}

// typeField empties a field and types s into it key by key, which leaves
// the focus there, ready for Enter.
func typeField(t testing.TB, ctx context.Context, sel, s string) {
	t.Helper()
	emptyField(t, ctx, sel)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS(sel), s))
}

// insertField empties a field and inserts s in one go, as a paste or an
// input method does: the page sees the same input events, in one
// DevTools call instead of three for each character. Setting a person up
// for a flow uses it; the flows themselves type.
func insertField(t testing.TB, ctx context.Context, sel, s string) {
	t.Helper()
	emptyField(t, ctx, sel)
	run(t, ctx, chromedp.Focus(chromedp.CSS(sel)))
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: s}); err != nil {
		t.Fatalf("inserting text into %s: %v (page %s)", sel, err, where(ctx))
	}
}

// fill types into a field, or inserts the text while the person is only
// being set up for a flow.
func (u *gckeyUser) fill(t testing.TB, ctx context.Context, sel, s string) {
	t.Helper()
	if u.quick {
		insertField(t, ctx, sel, s)
		return
	}
	typeField(t, ctx, sel, s)
}

// enterSubmit presses Enter in the focused field and waits for the page the
// form leads to, checking its status.
func enterSubmit(t testing.TB, ctx context.Context, status int) {
	t.Helper()
	res := pressNav(t, ctx, kb.Enter)
	if int(res.Status) != status {
		t.Fatalf("submitting the form: status %d, want %d (page %s)", res.Status, status, where(ctx))
	}
}

// submitForm clicks the submit button of the form posting to action (a path
// after the language prefix) and checks the status of the page it leads to.
func submitForm(t testing.TB, ctx context.Context, lang, action string, status int) {
	t.Helper()
	sel := `form[action="/` + lang + action + `"] button[type="submit"]`
	if !exists(t, ctx, sel) {
		t.Fatalf("no form posting to /%s%s on %s", lang, action, where(ctx))
	}
	res := clickNav(t, ctx, sel)
	if int(res.Status) != status {
		t.Fatalf("submitting %s: status %d, want %d (page %s)", action, res.Status, status, where(ctx))
	}
}

// followLink clicks a link and checks the status of the page it leads to.
func followLink(t testing.TB, ctx context.Context, sel string, status int) {
	t.Helper()
	if !exists(t, ctx, sel) {
		t.Fatalf("no link %s on %s", sel, where(ctx))
	}
	res := clickNav(t, ctx, sel)
	if int(res.Status) != status {
		t.Fatalf("following %s: status %d, want %d (page %s)", sel, res.Status, status, where(ctx))
	}
}

// onPage fails the test unless the tab shows path (after the language prefix).
func onPage(t testing.TB, ctx context.Context, lang, path string) {
	t.Helper()
	if got := eval[string](t, ctx, `location.pathname`); got != "/"+lang+path {
		t.Fatalf("the page is %s, want /%s%s", where(ctx), lang, path)
	}
}

// expectErrorSummary checks a form answered with its error summary, which
// has the focus and names the field in error.
func expectErrorSummary(t testing.TB, ctx context.Context, field string) {
	t.Helper()
	if !exists(t, ctx, "#error-summary") {
		t.Fatalf("no error summary on %s", where(ctx))
	}
	if !focused(t, ctx, "#error-summary") {
		t.Errorf("focus is on %s, want the error summary (page %s)", activeElement(t, ctx), where(ctx))
	}
	if field != "" && !exists(t, ctx, `#error-summary a[href="#`+field+`"]`) {
		t.Errorf("the error summary does not link to #%s: %q", field, text(t, ctx, "#error-summary"))
	}
}

// tabUntil presses Tab until sel has the focus, as a keyboard user reaching a
// field or a link.
func tabUntil(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	var seen []string
	for range 40 {
		press(t, ctx, kb.Tab)
		if focused(t, ctx, sel) {
			return
		}
		seen = append(seen, activeElement(t, ctx))
	}
	t.Fatalf("40 Tabs did not reach %s on %s; they focused %v", sel, where(ctx), seen)
}

// enterOnLink presses Enter on the focused link and waits for the page at
// path (after the language prefix) to finish loading.
func enterOnLink(t testing.TB, ctx context.Context, lang, path string) {
	t.Helper()
	pressEnterOnLink(t, ctx)
	waitFor(t, ctx, 10*time.Second, "/"+lang+path,
		`location.pathname === `+js("/"+lang+path)+` && document.readyState === "complete"`)
}

// Mail from the development outbox.

var (
	sixDigits = regexp.MustCompile(`\b\d{6}\b`)
	resetLink = regexp.MustCompile(`https?://\S+/gckey/reset\?token=\S+`)
)

// newestMailID is the id of the newest message in the outbox, 0 when
// there is none: later messages have larger ids.
func newestMailID(t testing.TB, a *apptest.App) int64 {
	t.Helper()
	ms, err := mail.List(context.Background(), a.DB, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		return 0
	}
	return ms[0].ID
}

// mailAfter returns the newest message to addr after the message with id
// after whose body matches re, failing the test if none came.
func mailAfter(t testing.TB, a *apptest.App, addr string, after int64, re *regexp.Regexp) (mail.Record, string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ms, err := mail.List(context.Background(), a.DB, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID <= after || m.ToAddr != addr {
				continue
			}
			if s := re.FindString(m.BodyText); s != "" {
				return m, s
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprintf("#%d to %s: %q", m.ID, m.ToAddr, m.Subject))
			}
			t.Fatalf("no mail to %s after #%d matching %s; the outbox has %v", addr, after, re, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mailCode reads the 6-digit code of the newest message to addr after id.
func mailCode(t testing.TB, a *apptest.App, addr string, after int64) string {
	t.Helper()
	_, code := mailAfter(t, a, addr, after, sixDigits)
	return code
}

// Steps of the flows. check runs axe on the pages a step passes through;
// the sign-up test checks them all, other tests only set a person up.

// gckeySignUp creates a GCKey from the sign-up's first page (which the tab
// shows already): terms, details, the emailed code. It ends on the first
// set-up page.
func gckeySignUp(t testing.TB, ctx context.Context, a *apptest.App, u *gckeyUser, check bool) {
	t.Helper()
	l := u.Lang
	onPage(t, ctx, l, "/gckey/signup")
	if check {
		axeCheck(t, ctx)
		// The terms must be accepted.
		submitForm(t, ctx, l, "/gckey/signup", http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "accept")
		axeCheck(t, ctx)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS("#accept")))
	submitForm(t, ctx, l, "/gckey/signup", http.StatusOK)
	onPage(t, ctx, l, "/gckey/signup/details")

	if check {
		axeCheck(t, ctx)
		// A password too short and a confirmation that differs.
		u.fill(t, ctx, "#username", u.Username)
		u.fill(t, ctx, "#password", "short")
		u.fill(t, ctx, "#confirm", "different")
		u.fill(t, ctx, "#email", u.Email)
		enterSubmit(t, ctx, http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "password")
		if v := eval[string](t, ctx, `document.querySelector("#username").value`); v != u.Username {
			t.Errorf("the username typed was lost: %q", v)
		}
		axeCheck(t, ctx)
	}
	u.fill(t, ctx, "#username", u.Username)
	u.fill(t, ctx, "#password", u.Password)
	u.fill(t, ctx, "#confirm", u.Password)
	u.fill(t, ctx, "#email", u.Email)
	before := newestMailID(t, a)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/gckey/signup/verify")
	if got := text(t, ctx, `[data-testid="sent-to"]`); !strings.Contains(got, u.Email) {
		t.Errorf("the code page does not name the address: %q", got)
	}
	code := mailCode(t, a, u.Email, before)

	if check {
		axeCheck(t, ctx)
		u.fill(t, ctx, "#code", wrongDigits(code))
		enterSubmit(t, ctx, http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "code")
		axeCheck(t, ctx)
	}
	u.fill(t, ctx, "#code", code)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/gckey/2fa/setup")
}

// wrongDigits returns a 6-digit code other than code.
func wrongDigits(code string) string {
	if code == "123456" {
		return "654321"
	}
	return "123456"
}

// chooseMethod picks the method ("app" or "email") on the set-up page.
func chooseMethod(t testing.TB, ctx context.Context, lang, method string, check bool) {
	t.Helper()
	onPage(t, ctx, lang, "/gckey/2fa/setup")
	if check {
		axeCheck(t, ctx)
		submitForm(t, ctx, lang, "/gckey/2fa/setup", http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "")
		axeCheck(t, ctx)
	}
	radio := "#method"
	if method == "email" {
		radio = "#method-email"
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(radio)))
	submitForm(t, ctx, lang, "/gckey/2fa/setup", http.StatusOK)
}

// setUpApp sets up an authenticator app from the set-up page: the QR code
// and the secret key are shown, and a code from the key confirms it. It
// ends on the recovery codes page.
func setUpApp(t testing.TB, ctx context.Context, u *gckeyUser, check bool) {
	t.Helper()
	l := u.Lang
	chooseMethod(t, ctx, l, "app", check)
	onPage(t, ctx, l, "/gckey/2fa/setup/app")
	if !eval[bool](t, ctx, `(() => {
		const img = document.querySelector('img[data-testid="qr"]');
		return img !== null && img.src.startsWith("data:image/png;base64,") && img.complete && img.naturalWidth > 0 && img.alt.trim() !== "";
	})()`) {
		t.Error("the set-up page shows no QR code image with a text alternative")
	}
	shown := text(t, ctx, `[data-testid="secret"]`)
	secret := strings.Join(strings.Fields(shown), "")
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("the secret key shown is %q", shown)
	}
	if got := strings.TrimSpace(text(t, ctx, `[data-testid="account"]`)); got != u.Email {
		t.Errorf("the key is listed under %q, want %q", got, u.Email)
	}
	u.App = &authenticator{secret: secret}
	if check {
		axeCheck(t, ctx)
		u.fill(t, ctx, "#code", u.App.wrong(t))
		enterSubmit(t, ctx, http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "code")
		if got := strings.Join(strings.Fields(text(t, ctx, `[data-testid="secret"]`)), ""); got != secret {
			t.Errorf("the key changed after a wrong code: %s, was %s", got, secret)
		}
		axeCheck(t, ctx)
	}
	u.fill(t, ctx, "#code", u.App.code(t, ctx))
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/gckey/recovery/codes")
}

// setUpEmail sets up email codes from the set-up page, confirming with the
// code mailed. It ends on the recovery codes page.
func setUpEmail(t testing.TB, ctx context.Context, a *apptest.App, u *gckeyUser, check bool) {
	t.Helper()
	l := u.Lang
	before := newestMailID(t, a)
	chooseMethod(t, ctx, l, "email", check)
	onPage(t, ctx, l, "/gckey/2fa/setup/email")
	code := mailCode(t, a, u.Email, before)
	if check {
		axeCheck(t, ctx)
		u.fill(t, ctx, "#code", wrongDigits(code))
		enterSubmit(t, ctx, http.StatusUnprocessableEntity)
		expectErrorSummary(t, ctx, "code")
		axeCheck(t, ctx)
	}
	u.fill(t, ctx, "#code", code)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/gckey/recovery/codes")
	u.App = nil
}

var recoveryCode = regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$`)

// codesFile is what the browser gets from the codes file link.
type codesFile struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Options     string `json:"options"`
	Body        string `json:"body"`
}

// saveCodes reads the 10 new recovery codes on the codes page, checks the
// download and the print button, and says they are saved. It returns the
// codes; the page it ends on depends on where the set was asked for.
func saveCodes(t testing.TB, ctx context.Context, u *gckeyUser, check bool) []string {
	t.Helper()
	l := u.Lang
	onPage(t, ctx, l, "/gckey/recovery/codes")
	codes := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid="codes"] li code'), c => c.textContent.trim())`)
	if len(codes) != 10 {
		t.Fatalf("the codes page shows %d codes, want 10: %v", len(codes), codes)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryCode.MatchString(c) {
			t.Errorf("recovery code %q is not in the XXXX-XXXX-XXXX form of the unambiguous alphabet", c)
		}
		if seen[c] {
			t.Errorf("recovery code %q is shown twice", c)
		}
		seen[c] = true
	}
	if !eval[bool](t, ctx, `(() => {
		const b = document.querySelector("button[data-print]");
		return b !== null && !b.hidden && b.offsetParent !== null;
	})()`) {
		t.Error("the codes page shows no print button")
	}
	href := eval[string](t, ctx, `(document.querySelector('a[data-testid="download"][download]') || {}).href || ""`)
	if !strings.HasSuffix(href, "/"+l+"/gckey/recovery/codes.txt") {
		t.Fatalf("the download link is %q", href)
	}
	d := eval[codesFile](t, ctx, `fetch(`+js(href)+`, {credentials: "same-origin"}).then(async r => ({
		status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "",
		options: r.headers.get("x-content-type-options") || "", body: await r.text(),
	}))`)
	if d.Status != http.StatusOK || !strings.HasPrefix(d.Type, "text/plain") || !strings.HasPrefix(d.Disposition, "attachment") || d.Options != "nosniff" {
		t.Errorf("the download answered %d, Content-Type %q, Content-Disposition %q, X-Content-Type-Options %q", d.Status, d.Type, d.Disposition, d.Options)
	}
	for _, c := range codes {
		if !strings.Contains(d.Body, c) {
			t.Errorf("the downloaded file lacks code %s:\n%s", c, d.Body)
		}
	}
	if check {
		axeCheck(t, ctx)
		// The codes are shown once: the same page again only offers the
		// file while it lasts.
		load(t, ctx, where(ctx), http.StatusOK)
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="codes"] li').length`); n != 0 {
			t.Errorf("the codes are shown again on a second visit (%d)", n)
		}
		if !exists(t, ctx, `[data-testid="already-shown"]`) {
			t.Error("the codes page seen again does not say they were shown")
		}
		axeCheck(t, ctx)
	}
	submitForm(t, ctx, l, "/gckey/recovery/codes", http.StatusOK)
	u.Codes = codes
	return codes
}

// provisionGCKey gives a person a GCKey with the method ("app" or "email"),
// in a tab of its own, without the checks the sign-up test makes. The tab
// ends on the authentication success page, signed in.
func provisionGCKey(t *testing.T, a *apptest.App, lang, method string) (*gckeyUser, context.Context) {
	t.Helper()
	u := newGCKeyUser(lang)
	u.quick = true
	defer func() { u.quick = false }()
	ctx := newTab(t)
	load(t, ctx, a.URL+"/"+lang+"/gckey/signup", http.StatusOK)
	gckeySignUp(t, ctx, a, u, false)
	if method == "email" {
		setUpEmail(t, ctx, a, u, false)
	} else {
		setUpApp(t, ctx, u, false)
	}
	saveCodes(t, ctx, u, false)
	onPage(t, ctx, lang, "/gckey/2fa/done")
	return u, ctx
}

// gckeySignIn types the username and password on the sign-in page (which the
// tab shows) and presses Enter; it ends on the Welcome page.
func gckeySignIn(t testing.TB, ctx context.Context, u *gckeyUser, password string) {
	t.Helper()
	onPage(t, ctx, u.Lang, "/gckey/signin")
	u.fill(t, ctx, "#username", u.Username)
	u.fill(t, ctx, "#password", password)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, u.Lang, "/gckey/welcome")
}

// continueToCode follows Continue on the Welcome page to the two-factor
// page.
func continueToCode(t testing.TB, ctx context.Context, u *gckeyUser) {
	t.Helper()
	onPage(t, ctx, u.Lang, "/gckey/welcome")
	followLink(t, ctx, `a[data-testid="continue"]`, http.StatusOK)
	onPage(t, ctx, u.Lang, "/gckey/2fa/verify")
}

// enterAppCode types the authenticator's code on the two-factor page and
// presses Enter.
func enterAppCode(t testing.TB, ctx context.Context, u *gckeyUser) {
	t.Helper()
	onPage(t, ctx, u.Lang, "/gckey/2fa/verify")
	u.fill(t, ctx, "#code", u.App.code(t, ctx))
	enterSubmit(t, ctx, http.StatusOK)
}

// continueFromDone presses Continue on the authentication success page.
func continueFromDone(t testing.TB, ctx context.Context, lang string) {
	t.Helper()
	onPage(t, ctx, lang, "/gckey/2fa/done")
	submitForm(t, ctx, lang, "/gckey/2fa/done", http.StatusOK)
}

// gckeySignOut uses the sign-out button of the page.
func gckeySignOut(t testing.TB, ctx context.Context, lang string) {
	t.Helper()
	submitForm(t, ctx, lang, "/gckey/signout", http.StatusOK)
	onPage(t, ctx, lang, "/signed-out")
}

// frenchHour is a French time once its digits are blanked: "13 h 05" but
// "13 h" on the hour.
var frenchHour = regexp.MustCompile(`# h( #)?`)

// normalizeDigits blanks the digits of a message, so two answers that
// differ only in a time compare equal (also when one of the times falls
// on the hour, which French writes without minutes).
func normalizeDigits(s string) string {
	s = strings.Join(strings.Fields(regexp.MustCompile(`\d+`).ReplaceAllString(s, "#")), " ")
	return frenchHour.ReplaceAllString(s, "# h")
}
