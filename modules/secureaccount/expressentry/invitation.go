package expressentry

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/expressentry/views"
)

// invited loads the account's profile named in the URL and its open
// invitation; anything else is not found.
func (m *Module) invited(c echo.Context) (profileRow, invitationRow, error) {
	id, err := idParam(c)
	if err != nil {
		return profileRow{}, invitationRow{}, err
	}
	ctx := c.Request().Context()
	acc := accountOf(c)
	r, err := m.store.profile(ctx, m.db.R, acc.ID, id)
	if err != nil {
		return r, invitationRow{}, notFound(err)
	}
	inv, err := m.store.openInvitation(ctx, m.db.R, acc.ID, id, m.clock.Now())
	return r, inv, notFound(err)
}

// declineShow asks to confirm declining.
func (m *Module) declineShow(c echo.Context) error {
	r, inv, err := m.invited(c)
	if err != nil {
		return err
	}
	base := web.URL(c, profileHref(r.ID))
	return web.Render(c, http.StatusOK, views.Decline(views.DeclineView{ID: r.ID, Action: base + "/invitation/decline", Back: base,
		RespondBy: i18n.FormatDateTime(web.Lang(c), inv.RespondBy)}))
}

var errNotOpen = errors.New("expressentry: the invitation is not open")

// declineSubmit declines the invitation: the profile goes back to the
// pool until its own expiry.
func (m *Module) declineSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	r, inv, err := m.invited(c)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := m.store.answerInvitation(ctx, tx, inv.ID, InvitationDeclined, now, 0, "")
		if err != nil {
			return err
		}
		if !ok {
			return errNotOpen
		}
		to := StatusSubmitted
		if !r.ExpiresAt.Valid || !r.ExpiresAt.Time.After(now) {
			to = StatusExpired
		}
		_, err = m.store.setStatus(ctx, tx, r.ID, StatusInvited, to, now)
		return err
	})
	if err != nil && !errors.Is(err, errNotOpen) {
		return err
	}
	return web.Redirect(c, web.URL(c, profileHref(r.ID)+"?declined=1"))
}

// applyShow is the application for permanent residence, filled in with
// what the account knows.
func (m *Module) applyShow(c echo.Context) error {
	r, inv, err := m.invited(c)
	if err != nil {
		return err
	}
	acc := accountOf(c)
	f := views.ApplyForm{GivenName: acc.GivenName, FamilyName: acc.FamilyName, BirthDate: acc.BirthDate, Email: acc.Email}
	if f.BirthDate == "" {
		if a, err := r.answers(); err == nil {
			f.BirthDate = a.Personal.BirthDate
		}
	}
	return web.Render(c, http.StatusOK, views.Apply(m.applyView(c, r, inv, f)))
}

func (m *Module) applyView(c echo.Context, r profileRow, inv invitationRow, f views.ApplyForm) views.ApplyView {
	base := web.URL(c, profileHref(r.ID))
	lang := web.Lang(c)
	return views.ApplyView{ID: r.ID, Action: base + "/invitation/apply", Back: base, Number: r.Number.String,
		RespondBy: i18n.FormatDateTime(lang, inv.RespondBy), Checklist: checklist(lang), Form: f}
}

func readApply(c echo.Context) views.ApplyForm {
	return views.ApplyForm{
		GivenName: field(c, "given_name"), FamilyName: field(c, "family_name"), BirthDate: field(c, "birth_date"),
		Email: field(c, "email"), Street: field(c, "street"), City: field(c, "city"), Region: field(c, "region"),
		PostalCode: field(c, "postal_code"), Country: field(c, "country"), FamilyMembers: field(c, "family_members"),
		Declaration: field(c, "declaration"),
	}
}

// Longest answers accepted on the application.
const (
	maxName     = 100
	maxLine     = 200
	maxFamily   = 20
	maxPostcode = 20
)

// badText is text no line of the form can hold: invalid UTF-8, or control
// characters (a line break, a NUL) that would reach letters and the staff
// console as typed.
func badText(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// checkLine checks one line of text: required (with its key) or optional
// (requiredKey ""), at most limit characters, printable.
func checkLine(out views.Problems, field, value, requiredKey string, limit int) views.Problems {
	switch {
	case value == "" && requiredKey != "":
		return append(out, views.Problem{Field: field, Key: requiredKey})
	case utf8.RuneCountInString(value) > limit:
		return append(out, views.Problem{Field: field, Key: "ee.err.too_long"})
	case badText(value):
		return append(out, views.Problem{Field: field, Key: "ee.err.bad_characters"})
	}
	return out
}

func checkApply(f views.ApplyForm, now time.Time) views.Problems {
	var out views.Problems
	out = checkLine(out, "given_name", f.GivenName, "ee.err.given_name_required", maxName)
	out = checkLine(out, "family_name", f.FamilyName, "ee.err.family_name_required", maxName)
	switch b, ok := parseDate(f.BirthDate); {
	case f.BirthDate == "":
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_required"})
	case !ok:
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.date_format"})
	case !b.Before(day(now)):
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_future"})
	case ageAt(b, now) > maxAgeYears:
		out = append(out, views.Problem{Field: "birth_date", Key: "ee.err.birth_date_old"})
	}
	switch {
	case f.Email == "":
		out = append(out, views.Problem{Field: "email", Key: "ee.err.email_required"})
	case !mail.ValidAddress(f.Email):
		out = append(out, views.Problem{Field: "email", Key: "ee.err.email_invalid"})
	}
	out = checkLine(out, "street", f.Street, "ee.err.street_required", maxLine)
	out = checkLine(out, "city", f.City, "ee.err.city_required", maxName)
	out = checkLine(out, "region", f.Region, "", maxName)
	out = checkLine(out, "postal_code", f.PostalCode, "", maxPostcode)
	out = checkLine(out, "country", f.Country, "ee.err.country_required", maxName)
	n, err := strconv.Atoi(f.FamilyMembers)
	switch {
	case f.FamilyMembers == "":
		out = append(out, views.Problem{Field: "family_members", Key: "ee.err.family_members_required"})
	case err != nil || n < 0 || n > maxFamily:
		out = append(out, views.Problem{Field: "family_members", Key: "ee.err.family_members_range"})
	}
	if f.Declaration != "yes" {
		out = append(out, views.Problem{Field: "declaration", Key: "ee.err.declaration_required"})
	}
	return out
}

// applySubmit sends the application for permanent residence through the
// applications module, with the invitation's checklist, and closes the
// invitation, in one transaction.
func (m *Module) applySubmit(c echo.Context) error {
	ctx := c.Request().Context()
	r, inv, err := m.invited(c)
	if err != nil {
		return err
	}
	f := readApply(c)
	now := m.clock.Now()
	if errs := checkApply(f, now); len(errs) > 0 {
		v := m.applyView(c, r, inv, f)
		v.Errs = errs
		return web.Render(c, http.StatusUnprocessableEntity, views.Apply(v))
	}
	acc := accountOf(c)
	data, err := json.Marshal(map[string]any{
		"profile_number": r.Number.String, "score": inv.Score, "given_name": f.GivenName, "family_name": f.FamilyName,
		"birth_date": f.BirthDate, "email": f.Email, "street": f.Street, "city": f.City, "region": f.Region,
		"postal_code": f.PostalCode, "country": f.Country, "family_members": f.FamilyMembers, "declaration": true,
	})
	if err != nil {
		return err
	}
	lang := acc.Lang
	if !i18n.Valid(lang) {
		lang = web.Lang(c)
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		appID, number, err := m.applications.Submit(ctx, tx, account.NewApplication{
			AccountID: acc.ID, Kind: account.KindPRExpressEntry, Program: ProgramKey,
			GivenName: f.GivenName, FamilyName: f.FamilyName, BirthDate: f.BirthDate, Email: f.Email,
			// The checklist's documents are requested with the
			// application, so they belong to it in the staff console.
			Data: string(data), InvitationID: inv.ID, DocumentLabels: checklist(lang),
		})
		if err != nil {
			return err
		}
		ok, err := m.store.answerInvitation(ctx, tx, inv.ID, InvitationApplied, now, appID, number)
		if err != nil {
			return err
		}
		if !ok {
			return errNotOpen
		}
		_, err = m.store.setStatus(ctx, tx, r.ID, StatusInvited, StatusApplied, now)
		return err
	})
	if errors.Is(err, errNotOpen) {
		return web.Redirect(c, web.URL(c, profileHref(r.ID)))
	}
	if err != nil {
		return err
	}
	m.kickMail()
	return web.Redirect(c, web.URL(c, profileHref(r.ID)+"?applied=1"))
}

// ProgramKey is the catalog key naming the program of an Express Entry
// application for permanent residence (account.NewApplication.Program).
const ProgramKey = "ee.program.pr"
