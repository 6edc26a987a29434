package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"guichet/app/apptest"
)

// The Sign-In Partner browser tests go through the built-in Demo Bank, a
// real OpenID Connect provider on the same origin: the chooser, the page
// that says the person is leaving the site, the bank's own pages (its
// look, its language, its forms), the way back to Guichet, the enrolment
// page of a first arrival, the secure account's own enrolment form, its
// dashboard and the sign-out. Every page passes axe in both languages.

// partnerLangs are the two official languages every flow runs in.
var partnerLangs = []string{"en", "fr"}

// partnerText is a phrase each page shows, in one language: finding it
// (with the right <html lang>) tells the page is in that language.
type partnerText struct {
	chooser, leaving, bankSignin, nameRequired, pickRequired, verify, wrongCode,
	enrol, accountForm, dashboard, signedOut, bankSeparate, failed, cancelled, expired,
	index, unavailable, signedIn, bankEnded string
}

var partnerTexts = map[string]partnerText{
	"en": {
		chooser:      "Sign in with a Sign-In Partner",
		leaving:      "You are leaving this site to sign in with Demo Bank",
		bankSignin:   "Sign in to Demo Bank",
		nameRequired: "Enter a name for the new customer.",
		pickRequired: "Choose a test customer.",
		verify:       "Second step",
		wrongCode:    "This code is not right.",
		enrol:        "Create your account for IRCC secure account",
		accountForm:  "Create your IRCC secure account",
		dashboard:    "Your account is ready.",
		signedOut:    "You have been signed out",
		bankSeparate: "Signing out here does not sign you out of your bank's website",
		failed:       "Your sign-in through your bank did not finish",
		cancelled:    "You cancelled the sign-in at your bank.",
		expired:      "This sign-in attempt is no longer valid.",
		index:        "Choose your bank",
		unavailable:  "RBC Royal Bank is not available at the moment",
		signedIn:     "You are signed in through your bank",
		bankEnded:    "This sign-in request has ended",
	},
	"fr": {
		chooser:      "Se connecter avec un partenaire de connexion",
		leaving:      "Vous quittez ce site pour vous connecter avec : Banque démo",
		bankSignin:   "Se connecter à la Banque démo",
		nameRequired: "Entrez un nom pour le nouveau client.",
		pickRequired: "Choisissez un client de test.",
		verify:       "Deuxième étape",
		wrongCode:    "Ce code n'est pas le bon.",
		enrol:        "Créer votre compte pour : Compte sécurisé IRCC",
		accountForm:  "Créer votre compte sécurisé d’IRCC",
		dashboard:    "Votre compte est prêt.",
		signedOut:    "Vous avez été déconnecté",
		bankSeparate: "Vous déconnecter ici ne vous déconnecte pas du site Web de votre banque",
		failed:       "Votre connexion par votre banque n'a pas abouti",
		cancelled:    "Vous avez annulé la connexion à votre banque.",
		expired:      "Cette tentative de connexion n'est plus valide.",
		index:        "Choisissez votre banque",
		unavailable:  "RBC Banque Royale n'est pas disponible pour le moment",
		signedIn:     "Vous êtes connecté par l'entremise de votre banque",
		bankEnded:    "Cette demande de connexion a pris fin",
	},
}

// unconnectedBanks is how many real banks the chooser lists without a
// link: none is connected in the tests' configuration.
const unconnectedBanks = 10

// inLang checks the page is in lang: its <html lang> and a phrase of it.
func inLang(t testing.TB, ctx context.Context, lang, phrase string) {
	t.Helper()
	if got := htmlLang(t, ctx); got != lang {
		t.Errorf("<html lang=%q> on %s, want %q", got, where(ctx), lang)
	}
	body := strings.Join(strings.Fields(text(t, ctx, "body")), " ")
	if !strings.Contains(body, phrase) {
		t.Errorf("%s does not say %q (the page should be in %s)", where(ctx), phrase, lang)
	}
}

// onBank fails the test unless the tab shows one of the Demo Bank's pages
// whose path starts with prefix ("/demo-bank/signin/").
func onBank(t testing.TB, ctx context.Context, prefix string) {
	t.Helper()
	if got := eval[string](t, ctx, `location.pathname`); !strings.HasPrefix(got, prefix) {
		t.Fatalf("the page is %s, want the bank's %s…", where(ctx), prefix)
	}
	if !exists(t, ctx, `[data-testid="bank-name"]`) || exists(t, ctx, `link[href*="site.css"]`) {
		t.Errorf("%s does not have the bank's own look (its header, without Guichet's stylesheet)", where(ctx))
	}
}

// uniqueName is a made-up bank customer's name no other test uses.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + " " + hex.EncodeToString(b)
}

// principal asks the test route which Principal the service holds, from
// the page (so with its cookies): "ircc|<pairwise id>|partner|2", or "" if
// there is none.
func principal(t testing.TB, ctx context.Context, lang, service string) string {
	t.Helper()
	return eval[string](t, ctx, `fetch("/`+lang+`/test/service/`+service+`", {credentials: "same-origin"}).then(r => r.ok ? r.text() : "")`)
}

// toDemoBank goes from a page listing the Demo Bank (the tab shows it)
// through the leaving page to the bank's sign-in page. check runs axe on
// the leaving page.
func toDemoBank(t testing.TB, ctx context.Context, lang string, check bool) {
	t.Helper()
	followLink(t, ctx, `a[data-testid="partner-test"]`, http.StatusOK)
	onPage(t, ctx, lang, "/partners/demo")
	if !exists(t, ctx, `[data-testid="partner-privacy"]`) || !exists(t, ctx, `[data-testid="test-partner-notice"]`) {
		t.Errorf("the leaving page lacks the privacy list or the test partner notice: %s", where(ctx))
	}
	if check {
		inLang(t, ctx, lang, partnerTexts[lang].leaving)
		axeCheck(t, ctx)
	}
	followLink(t, ctx, `a[data-testid="partner-go"]`, http.StatusOK)
	onBank(t, ctx, "/demo-bank/signin/")
	if check {
		inLang(t, ctx, lang, partnerTexts[lang].bankSignin)
	}
}

// createCustomer creates a customer on the bank's sign-in page (which the
// tab shows), ending on the second step.
func createCustomer(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	onBank(t, ctx, "/demo-bank/signin/")
	insertField(t, ctx, "#name", name)
	res := clickNav(t, ctx, `[data-testid="create-submit"]`)
	if res.Status != http.StatusOK {
		t.Fatalf("creating customer %q: status %d (page %s)", name, res.Status, where(ctx))
	}
	onBank(t, ctx, "/demo-bank/verify/")
}

// demoCode reads the code the second-step page shows, without spaces.
func demoCode(t testing.TB, ctx context.Context) string {
	t.Helper()
	code := strings.Join(strings.Fields(text(t, ctx, `[data-testid="demo-code"]`)), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("the second step shows the code %q on %s", code, where(ctx))
	}
	return code
}

// newBankCustomer creates a Demo Bank customer in a tab of its own and
// leaves the sign-in unfinished: the customer is then listed on the
// bank's sign-in page.
func newBankCustomer(t *testing.T, a *apptest.App, lang, name string) {
	t.Helper()
	ctx := newTab(t)
	load(t, ctx, a.URL+"/"+lang+"/partners/", http.StatusOK)
	toDemoBank(t, ctx, lang, false)
	createCustomer(t, ctx, name)
}

// TestPartnerRoundTrip signs in through the Demo Bank from the IRCC secure
// account's chooser, in both languages: the leaving page, the bank's
// sign-in page (an empty name first), a new customer, the second step (a
// wrong code first), the way back to the enrolment page, the account
// confirmed, the secure account's own enrolment form filled in, its
// dashboard and the sign-out, which says the bank's session is separate.
// Every page and every error state passes axe.
func TestPartnerRoundTrip(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range partnerLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			tx := partnerTexts[l]
			ctx := newTab(t)

			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			inLang(t, ctx, l, tx.chooser)
			if got := eval[string](t, ctx, `(document.querySelector('.partner-list [data-testid="partner-test"]') || {}).getAttribute?.("href") || ""`); got != "/"+l+"/partners/demo?service=ircc" {
				t.Errorf("the Demo Bank link on the chooser is %q", got)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('.partner-list [data-testid="partner-unavailable"]').length`); n != unconnectedBanks {
				t.Errorf("the chooser lists %d unavailable banks, want %d", n, unconnectedBanks)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('.partner-list [data-testid="partner-unavailable"] a').length`); n != 0 {
				t.Errorf("%d unavailable banks have a link", n)
			}
			axeCheck(t, ctx)

			toDemoBank(t, ctx, l, true)
			if got := text(t, ctx, `[data-testid="test-notice"]`); strings.TrimSpace(got) == "" {
				t.Error("the bank's page does not say it is a test partner")
			}
			axeCheck(t, ctx)

			// No name: the error summary, focused, links to the field.
			res := clickNav(t, ctx, `[data-testid="create-submit"]`)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("an empty name: status %d, want %d", res.Status, http.StatusUnprocessableEntity)
			}
			onBank(t, ctx, "/demo-bank/signin/")
			expectErrorSummary(t, ctx, "name")
			inLang(t, ctx, l, tx.nameRequired)
			axeCheck(t, ctx)

			name := uniqueName("Alex Roy")
			typeField(t, ctx, "#name", name)
			enterSubmit(t, ctx, http.StatusOK)
			onBank(t, ctx, "/demo-bank/verify/")
			inLang(t, ctx, l, tx.verify)
			if got := text(t, ctx, `[data-testid="customer"]`); !strings.Contains(got, name) {
				t.Errorf("the second step does not name the customer %q: %q", name, got)
			}
			code := demoCode(t, ctx)
			axeCheck(t, ctx)

			// A wrong code first.
			typeField(t, ctx, "#code", wrongDigits(code))
			enterSubmit(t, ctx, http.StatusUnprocessableEntity)
			onBank(t, ctx, "/demo-bank/verify/")
			expectErrorSummary(t, ctx, "code")
			inLang(t, ctx, l, tx.wrongCode)
			if got := demoCode(t, ctx); got != code {
				t.Errorf("the code changed after a wrong one: %s, was %s", got, code)
			}
			axeCheck(t, ctx)

			// The right code: back at Guichet, on the enrolment page.
			typeField(t, ctx, "#code", code)
			enterSubmit(t, ctx, http.StatusOK)
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
				t.Fatalf("a first arrival through the bank did not get the enrolment page: %s", where(ctx))
			}
			inLang(t, ctx, l, tx.enrol)
			if p := principal(t, ctx, l, "ircc"); p != "" {
				t.Errorf("the service holds a Principal before the account was confirmed: %q", p)
			}
			axeCheck(t, ctx)

			followLink(t, ctx, `[data-testid="enrol-confirm"]`, http.StatusOK)
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="enrol-form"]`) {
				t.Fatalf("confirming did not reach the secure account's enrolment form: %s", where(ctx))
			}
			inLang(t, ctx, l, tx.accountForm)
			if p := strings.Split(principal(t, ctx, l, "ircc"), "|"); len(p) != 4 || p[2] != "partner" || p[3] != "2" {
				t.Errorf("the service holds %q, want a partner Principal at level 2 (the second step was done)", strings.Join(p, "|"))
			}
			axeCheck(t, ctx)

			// The account's details: the dashboard, which signs out.
			fillEnrolForm(t, ctx, newEnrolDetails(l))
			submitForm(t, ctx, l, "/ircc/enrol", http.StatusOK)
			onPage(t, ctx, l, "/ircc/")
			if !exists(t, ctx, `[data-testid="dashboard"]`) {
				t.Fatalf("the enrolment form did not lead to the dashboard: %s", where(ctx))
			}
			inLang(t, ctx, l, tx.dashboard)
			axeCheck(t, ctx)

			submitForm(t, ctx, l, "/session/end", http.StatusOK)
			if got := location(t, ctx); got != "/"+l+"/signed-out?via=partner" {
				t.Errorf("signing out led to %s, want /%s/signed-out?via=partner", got, l)
			}
			if !exists(t, ctx, `[data-testid="bank-separate"]`) {
				t.Error("the signed-out page does not say the bank's session is separate")
			}
			inLang(t, ctx, l, tx.signedOut)
			inLang(t, ctx, l, tx.bankSeparate)
			axeCheck(t, ctx)
			if p := principal(t, ctx, l, "ircc"); p != "" {
				t.Errorf("still signed in after signing out: %q", p)
			}
		})
	}
}

// TestPartnerKeyboardOnly signs in through the Demo Bank with the keyboard
// alone, in French: the chooser, the leaving page, the bank's pick button
// pressed with nobody picked (its error state passes axe), an existing
// customer picked from the list with the arrow keys, the second step
// skipped, the enrolment page, the secure account's enrolment form, the
// dashboard and the sign-out.
func TestPartnerKeyboardOnly(t *testing.T) {
	t.Parallel()
	const l = "fr"
	a := startApp(t, apptest.Options{})
	// The list is sorted by name: the first radio button is first, the
	// one picked with ArrowDown second.
	first, second := uniqueName("Aline Bouchard"), uniqueName("Zoé Tremblay")
	newBankCustomer(t, a, l, first)
	newBankCustomer(t, a, l, second)

	ctx := newTab(t)
	// The pages pass axe in TestPartnerRoundTrip and TestPartnerPages;
	// this test checks the keyboard.
	load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
	tabUntil(t, ctx, `a[data-testid="partner-test"]`)
	enterOnLink(t, ctx, l, "/partners/demo")

	tabUntil(t, ctx, `a[data-testid="partner-go"]`)
	pressEnterOnLink(t, ctx)
	waitFor(t, ctx, 10*time.Second, "the bank's sign-in page",
		`location.pathname.startsWith("/demo-bank/signin/") && document.readyState === "complete"`)
	onBank(t, ctx, "/demo-bank/signin/")

	radios := `[data-testid="pick-form"] input[type="radio"][name="customer"]`
	if n := eval[int](t, ctx, `document.querySelectorAll(`+js(radios)+`).length`); n != 2 {
		t.Fatalf("the bank lists %d customers, want 2", n)
	}

	// The pick button with nobody picked: the error summary links to the
	// list's first radio button.
	firstID := eval[string](t, ctx, `document.querySelector(`+js(radios)+`).id`)
	tabUntil(t, ctx, `[data-testid="pick-submit"]`)
	enterSubmit(t, ctx, http.StatusUnprocessableEntity)
	onBank(t, ctx, "/demo-bank/signin/")
	expectErrorSummary(t, ctx, firstID)
	inLang(t, ctx, l, partnerTexts[l].pickRequired)
	axeCheck(t, ctx)

	tabUntil(t, ctx, radios)
	press(t, ctx, kb.ArrowDown)
	picked := eval[string](t, ctx, `(() => {
		const r = document.activeElement;
		if (!r || r.type !== "radio" || !r.checked) return "";
		return document.querySelector('label[for="' + r.id + '"]').textContent;
	})()`)
	if !strings.Contains(picked, second) {
		t.Fatalf("ArrowDown picked %q, want %s (focus on %s)", picked, second, activeElement(t, ctx))
	}
	press(t, ctx, kb.Tab)
	if !focused(t, ctx, `[data-testid="pick-submit"]`) {
		t.Fatalf("Tab from the customer list focused %s, want the pick button", activeElement(t, ctx))
	}
	enterSubmit(t, ctx, http.StatusOK)
	onBank(t, ctx, "/demo-bank/verify/")
	if got := text(t, ctx, `[data-testid="customer"]`); !strings.Contains(got, second) {
		t.Errorf("the second step does not name %s: %q", second, got)
	}

	tabUntil(t, ctx, `[data-testid="skip"]`)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/ircc/")
	if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
		t.Fatalf("a first arrival through the bank did not get the enrolment page: %s", where(ctx))
	}

	tabUntil(t, ctx, `[data-testid="enrol-confirm"]`)
	enterSubmit(t, ctx, http.StatusOK)
	onPage(t, ctx, l, "/ircc/")
	if !exists(t, ctx, `[data-testid="enrol-form"]`) {
		t.Fatalf("confirming did not reach the secure account's enrolment form: %s", where(ctx))
	}
	if p := strings.Split(principal(t, ctx, l, "ircc"), "|"); len(p) != 4 || p[2] != "partner" || p[3] != "1" {
		t.Errorf("the service holds %q, want a partner Principal at level 1 (the second step was skipped)", strings.Join(p, "|"))
	}
	enrolByKeyboard(t, ctx, newEnrolDetails(l))
	onPage(t, ctx, l, "/ircc/")
	if !exists(t, ctx, `[data-testid="dashboard"]`) {
		t.Fatalf("the enrolment form did not lead to the dashboard: %s", where(ctx))
	}

	tabUntil(t, ctx, `form[data-testid="sign-out"] button[type="submit"]`)
	enterSubmit(t, ctx, http.StatusOK)
	if got := location(t, ctx); got != "/"+l+"/signed-out?via=partner" {
		t.Errorf("signing out led to %s, want /%s/signed-out?via=partner", got, l)
	}
	if !exists(t, ctx, `[data-testid="bank-separate"]`) {
		t.Error("the signed-out page does not say the bank's session is separate")
	}
}

// TestPartnerCancel cancels at the bank, in both languages: the failure
// page says so and leads back to the chooser. A second attempt, cancelled
// at the second step, ends the same way.
func TestPartnerCancel(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range partnerLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			tx := partnerTexts[l]
			ctx := newTab(t)
			cancelled := func(check bool) {
				t.Helper()
				followLink(t, ctx, `[data-testid="cancel"]`, http.StatusOK)
				if got := location(t, ctx); got != "/"+l+"/partners/failed?reason=cancelled" {
					t.Fatalf("cancelling at the bank led to %s", where(ctx))
				}
				if !exists(t, ctx, `[data-testid="failed-cancelled"]`) {
					t.Errorf("the failure page does not say the sign-in was cancelled: %q", text(t, ctx, "main"))
				}
				if check {
					inLang(t, ctx, l, tx.failed)
					inLang(t, ctx, l, tx.cancelled)
					axeCheck(t, ctx)
				}
				followLink(t, ctx, `a[data-testid="failed-back"]`, http.StatusOK)
				onPage(t, ctx, l, "/ircc/")
				if !exists(t, ctx, `[data-testid="partner-section"]`) {
					t.Errorf("Back did not lead to the chooser: %s", where(ctx))
				}
				if p := principal(t, ctx, l, "ircc"); p != "" {
					t.Errorf("signed in after cancelling: %q", p)
				}
			}

			load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
			toDemoBank(t, ctx, l, false)
			cancelled(true)

			toDemoBank(t, ctx, l, false)
			createCustomer(t, ctx, uniqueName("Sam Côté"))
			cancelled(false)
		})
	}
}

// TestPartnerPages checks the other pages of Sign-In Partners in both
// languages: a sign-in started from the list of partners (for no service
// in particular), which lands on the page linking to the services and then
// on the enrolment page of the service picked; an unconnected bank; one of
// the bank's error pages; the failure page of a callback nobody started.
// The language toggle of the leaving page and of the enrolment page keeps
// the page. Every page passes axe.
func TestPartnerPages(t *testing.T) {
	t.Parallel()
	a := startApp(t, apptest.Options{})
	for _, l := range partnerLangs {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			tx := partnerTexts[l]
			ctx := newTab(t)

			// The list of partners.
			load(t, ctx, a.URL+"/"+l+"/partners/", http.StatusOK)
			inLang(t, ctx, l, tx.index)
			if got := eval[string](t, ctx, `(document.querySelector('.partner-list a[data-testid="partner-test"]') || {}).getAttribute?.("href") || ""`); got != "/"+l+"/partners/demo" {
				t.Errorf("the Demo Bank link on the list is %q", got)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll(".partner-list li.partner-unavailable").length`); n != unconnectedBanks {
				t.Errorf("the list shows %d unavailable banks, want %d", n, unconnectedBanks)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll(".partner-list li.partner-unavailable a").length`); n != 0 {
				t.Errorf("%d unavailable banks have a link", n)
			}
			axeCheck(t, ctx)

			// A sign-in for no service in particular, from the list; the
			// leaving page in both languages.
			followLink(t, ctx, `a[data-testid="partner-test"]`, http.StatusOK)
			onPage(t, ctx, l, "/partners/demo")
			if !exists(t, ctx, `[data-testid="partner-privacy"]`) || !exists(t, ctx, `[data-testid="test-partner-notice"]`) {
				t.Errorf("the leaving page lacks the privacy list or the test partner notice: %s", where(ctx))
			}
			inLang(t, ctx, l, tx.leaving)
			axeCheck(t, ctx)
			checkToggle(t, ctx)
			inLang(t, ctx, otherLang(l), partnerTexts[otherLang(l)].leaving)
			axeCheck(t, ctx)
			followLink(t, ctx, `[data-testid="lang-toggle"]`, http.StatusOK)
			onPage(t, ctx, l, "/partners/demo")
			followLink(t, ctx, `a[data-testid="partner-go"]`, http.StatusOK)
			onBank(t, ctx, "/demo-bank/signin/")
			inLang(t, ctx, l, tx.bankSignin)
			createCustomer(t, ctx, uniqueName("Kim Nguyen"))
			followLink(t, ctx, `[data-testid="skip"]`, http.StatusOK)
			onPage(t, ctx, l, "/partners/signed-in")
			inLang(t, ctx, l, tx.signedIn)
			links := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".service-list a"), a => a.getAttribute("href"))`)
			if want := []string{"/" + l + "/ircc/", "/" + l + "/pt/", "/" + l + "/cipo/"}; strings.Join(links, " ") != strings.Join(want, " ") {
				t.Errorf("the signed-in page links to %v, want %v", links, want)
			}
			axeCheck(t, ctx)

			// The service picked: its enrolment page, in both languages.
			followLink(t, ctx, `.service-list a[href="/`+l+`/pt/"]`, http.StatusOK)
			onPage(t, ctx, l, "/pt/")
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) || !exists(t, ctx, `[data-testid="enrol-confirm"]`) || !exists(t, ctx, `[data-testid="enrol-switch"]`) {
				t.Fatalf("a first arrival at pt did not get the enrolment page: %s", where(ctx))
			}
			axeCheck(t, ctx)
			checkToggle(t, ctx)
			if !exists(t, ctx, `[data-testid="enrol-warning"]`) {
				t.Errorf("the enrolment page in the other language is %s", where(ctx))
			}
			axeCheck(t, ctx)

			// An unconnected bank.
			load(t, ctx, a.URL+"/"+l+"/partners/rbc?service=ircc", http.StatusOK)
			if !exists(t, ctx, `[data-testid="partner-unavailable-page"]`) || exists(t, ctx, `[data-testid="partner-go"]`) {
				t.Errorf("the page of an unconnected bank: %q", text(t, ctx, "main"))
			}
			inLang(t, ctx, l, tx.unavailable)
			axeCheck(t, ctx)

			// One of the bank's error pages, in the language asked for, and
			// its own language toggle.
			res := navigate(t, ctx, a.URL+"/demo-bank/signin/unknown?lang="+l)
			if res.Status != http.StatusNotFound {
				t.Errorf("the bank's page of an unknown request: status %d, want 404", res.Status)
			}
			if !exists(t, ctx, `[data-testid="bank-error"]`) {
				t.Errorf("no bank error page at %s", where(ctx))
			}
			inLang(t, ctx, l, tx.bankEnded)
			axeCheck(t, ctx)
			followLink(t, ctx, `[data-testid="lang-toggle"]`, http.StatusNotFound)
			inLang(t, ctx, otherLang(l), partnerTexts[otherLang(l)].bankEnded)

			// A callback nobody started, in a fresh browser whose
			// preferred language is l.
			fresh := newTab(t)
			accept := map[string]string{"en": "en-CA,en;q=0.9", "fr": "fr-CA,fr;q=0.9"}[l]
			if _, err := chromedp.Call(fresh, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": accept},
			}); err != nil {
				t.Fatalf("setting Accept-Language: %v", err)
			}
			load(t, fresh, a.URL+"/partners/callback?code=x&state=y", http.StatusOK)
			if got := location(t, fresh); got != "/"+l+"/partners/failed?reason=expired" {
				t.Errorf("a callback nobody started led to %s, want /%s/partners/failed?reason=expired", got, l)
			}
			if !exists(t, fresh, `[data-testid="failed-expired"]`) {
				t.Errorf("the failure page does not say the attempt expired: %q", text(t, fresh, "main"))
			}
			inLang(t, fresh, l, tx.failed)
			inLang(t, fresh, l, tx.expired)
			if got := eval[string](t, fresh, `document.querySelector('[data-testid="failed-back"]').getAttribute("href")`); got != "/"+l+"/partners/" {
				t.Errorf("Back on the failure page leads to %q, want /%s/partners/", got, l)
			}
			axeCheck(t, fresh)
		})
	}

	// A person who opened the Demo Bank from the IRCC chooser, then went
	// to the list of partners (the leaving page's breadcrumb) and started
	// from there, signs in for no service: the list's sign-in must not
	// inherit the service of the earlier, abandoned one.
	t.Run("list-after-a-service", func(t *testing.T) {
		t.Parallel()
		const l = "en"
		ctx := newTab(t)
		load(t, ctx, a.URL+"/"+l+"/ircc/", http.StatusOK)
		followLink(t, ctx, `a[data-testid="partner-test"]`, http.StatusOK)
		onPage(t, ctx, l, "/partners/demo")
		followLink(t, ctx, `nav.breadcrumbs a[href="/`+l+`/partners/"]`, http.StatusOK)
		onPage(t, ctx, l, "/partners/")
		toDemoBank(t, ctx, l, false)
		createCustomer(t, ctx, uniqueName("Jo Leblanc"))
		followLink(t, ctx, `[data-testid="skip"]`, http.StatusOK)
		if got := eval[string](t, ctx, `location.pathname`); got != "/"+l+"/partners/signed-in" {
			t.Errorf("a sign-in started from /%s/partners/ landed on %s, want /%s/partners/signed-in: "+
				"the service of the sign-in abandoned earlier (IRCC) was kept", l, got, l)
		}
	})
}
