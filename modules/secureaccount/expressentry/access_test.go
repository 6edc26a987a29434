package expressentry_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAnotherApplicantGetsNotFoundEverywhere(t *testing.T) {
	e := start(t)
	owner := e.applicant(t)
	draft := startProfile(t, owner)
	// A second owner with an invited profile, for the invitation routes.
	_, invited := e.invite(t)

	other := e.applicant(t)
	otherBase := startProfile(t, other)
	for _, base := range []string{draft, invited} {
		for _, path := range []string{"", "/confirmation", "/review", "/step/1", "/step/4", "/step/7",
			"/invitation/decline", "/invitation/apply"} {
			expect(t, other.Get(base+path), http.StatusNotFound, "")
		}
		for _, path := range []string{"/step/1", "/submit", "/invitation/decline", "/invitation/apply"} {
			expect(t, other.Post(base+path, clone(goodSteps[1])), http.StatusNotFound, "")
		}
	}
	if e.profileRow(t, idOf(t, draft)).Answers != "{}" || e.profileRow(t, idOf(t, invited)).Status != "invited" {
		t.Error("another applicant changed a profile")
	}
	if len(e.apps.got) != 0 {
		t.Error("another applicant applied")
	}
	list := other.Get("/en/ircc/express-entry/")
	if list.Doc.Find(`[data-testid="profile-link"]`).Length() != 1 {
		t.Errorf("the list shows someone else's profiles:\n%s", list.Body)
	}
	if href, _ := list.Doc.Find(`[data-testid="profile-link"]`).Attr("href"); href != otherBase {
		t.Errorf("list links to %q", href)
	}
	// Nonsense ids and steps.
	for _, path := range []string{"/en/ircc/express-entry/abc", "/en/ircc/express-entry/0", "/en/ircc/express-entry/999",
		otherBase + "/step/0", otherBase + "/step/8", otherBase + "/step/x"} {
		expect(t, other.Get(path), http.StatusNotFound, "")
	}
}

func TestSignedOutPeopleGoToTheEntryPage(t *testing.T) {
	e := start(t)
	c := e.Client(t)
	for _, lang := range []string{"en", "fr"} {
		expect(t, c.Get("/"+lang+"/ircc/express-entry/"), http.StatusSeeOther, "/"+lang+"/ircc/")
		expect(t, c.Get("/"+lang+"/ircc/express-entry/1/step/1"), http.StatusSeeOther, "/"+lang+"/ircc/")
	}
}

func TestEveryPageInBothLanguages(t *testing.T) {
	e := start(t)
	c, base := e.invite(t)
	draftOwner := e.applicant(t)
	draft := startProfile(t, draftOwner)
	poolOwner := e.applicant(t)
	inPool := submitted(t, poolOwner)
	admin := e.Client(t)
	admin.Get("/en/test/as-staff?as=administrator:1")
	for _, lang := range []string{"en", "fr"} {
		in := func(p string) string { return "/" + lang + p[3:] }
		check := func(body, path string) {
			t.Helper()
			if strings.Contains(body, "[ee.") || strings.Contains(body, "[service.") {
				t.Errorf("%s shows a missing key", path)
			}
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s is not in %s", path, lang)
			}
		}
		for _, path := range []string{"/en/ircc/express-entry/", base, base + "/invitation/decline", base + "/invitation/apply"} {
			p := c.Get(in(path))
			expect(t, p, http.StatusOK, "")
			check(p.Body, in(path))
			if p.Doc.Find("h1").Length() != 1 {
				t.Errorf("%s has %d h1", in(path), p.Doc.Find("h1").Length())
			}
		}
		conf := poolOwner.Get(in(inPool + "/confirmation"))
		expect(t, conf, http.StatusOK, "")
		check(conf.Body, in(inPool+"/confirmation"))
		// Invited, the profile is no longer "in the pool" as the
		// confirmation would say.
		expect(t, c.Get(in(base+"/confirmation")), http.StatusSeeOther, in(base))
		for _, path := range []string{draft, draft + "/review", draft + "/step/1", draft + "/step/2", draft + "/step/3", draft + "/step/4", draft + "/step/6", draft + "/step/7"} {
			p := draftOwner.Get(in(path))
			expect(t, p, http.StatusOK, "")
			check(p.Body, in(path))
		}
		// Step 5 needs a spouse who counts.
		v := clone(goodSteps[1])
		v.Set("marital", "married")
		v.Set("spouse_citizen", "no")
		v.Set("spouse_coming", "yes")
		draftOwner.Post(draft+"/step/1", v)
		p := draftOwner.Get(in(draft + "/step/5"))
		expect(t, p, http.StatusOK, "")
		check(p.Body, in(draft+"/step/5"))
		bad := draftOwner.Post(in(draft+"/step/2"), url.Values{"first_reading": {"x"}})
		expect(t, bad, http.StatusUnprocessableEntity, "")
		check(bad.Body, in(draft+"/step/2"))
		rounds := admin.Get("/" + lang + "/staff/ircc/rounds")
		expect(t, rounds, http.StatusOK, "")
		check(rounds.Body, "rounds")
	}
}
