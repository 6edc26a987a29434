package secureaccount

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/views"
)

// home is /{lang}/ircc/ for a person holding the ircc Principal: the
// enrolment form until they have an account, then the dashboard.
func (m *Module) home(c echo.Context) error {
	p, ok := m.identity.Principal(c.Request().Context(), Service)
	if !ok {
		return web.Redirect(c, web.URL(c, "/ircc/"))
	}
	acc, unread, open, err := m.store.DashboardAccount(c.Request().Context(), p.PairwiseID)
	if errors.Is(err, ErrNotFound) {
		return web.Render(c, http.StatusOK, views.Enrol(views.EnrolView{Lang: web.Lang(c)}))
	}
	if err != nil {
		return err
	}
	return m.dashboard(c, acc, unread, open)
}

// enrolSubmit creates the account for the Principal's pairwise id.
func (m *Module) enrolSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	if _, ok, err := m.current(c); err != nil {
		return err
	} else if ok {
		return web.Redirect(c, web.URL(c, "/ircc/"))
	}
	f := readEnrol(c)
	birth, errs := f.validate(m.clock.Now())
	if len(errs) > 0 {
		v := views.EnrolView{GivenName: f.GivenName, FamilyName: f.FamilyName, Day: f.Day, Month: f.Month, Year: f.Year,
			Email: f.Email, Lang: f.Lang, Errs: errs}
		return web.Render(c, http.StatusUnprocessableEntity, views.Enrol(v))
	}
	p := m.identity.PrincipalOf(c, Service)
	ip, ua := web.Client(c)
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		// Two submissions racing: the second finds the first's account.
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM ircc_accounts WHERE pairwise_id = ?`), p.PairwiseID); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := m.store.Create(ctx, tx, account.Account{PairwiseID: p.PairwiseID, GivenName: f.GivenName, FamilyName: f.FamilyName,
			BirthDate: birth, Email: f.Email, Lang: f.Lang}); err != nil {
			return err
		}
		return m.audit.Service(ctx, tx, Service, p.PairwiseID, audit.ServiceEnrolled, ip, ua, "")
	})
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/ircc/?done="+string(views.DoneEnrolled)))
}

// dashboard is the enrolled person's home.
func (m *Module) dashboard(c echo.Context, acc account.Account, unread, open int) error {
	ctx := c.Request().Context()
	lang := web.Lang(c)
	v := views.DashboardView{Name: fullName(acc), UCI: acc.UCI, Email: acc.Email, LangName: views.LangName(lang, acc.Lang)}
	switch d := views.Done(c.QueryParam("done")); d {
	case views.DoneEnrolled, views.DoneContact:
		v.Done = d
	}
	v.Unread, v.OpenRequests = unread, open
	if m.applications != nil {
		apps, err := m.applications.ForAccount(ctx, acc.ID)
		if err != nil {
			return err
		}
		v.Applications = make([]views.ApplicationRow, 0, len(apps))
		for _, a := range apps {
			v.Applications = append(v.Applications, views.ApplicationRow{
				Number: a.Number, Program: programName(lang, a.Program), Status: views.StatusLabel(lang, a.Status),
				Submitted: date(lang, a.Submitted), Updated: date(lang, a.Updated), Href: href(lang, a.Href),
			})
		}
	}
	if m.profiles != nil {
		profiles, err := m.profiles.ForAccount(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, p := range profiles {
			status := views.StatusLabel(lang, p.Status)
			if p.StatusKey != "" {
				status = i18n.In(lang, p.StatusKey)
			}
			row := views.ProfileRow{Number: p.Number, Status: status,
				Updated: date(lang, p.Updated), Expires: date(lang, p.Expires), Href: href(lang, p.Href)}
			if row.Number == "" {
				row.Number = i18n.In(lang, "ircc.dashboard.profile_draft")
			}
			if p.Score > 0 {
				row.Score = strconv.Itoa(p.Score)
			}
			v.Profiles = append(v.Profiles, row)
		}
	}
	return web.Render(c, http.StatusOK, views.Dashboard(v))
}

func fullName(a account.Account) string {
	if a.GivenName == "" {
		return a.FamilyName
	}
	return a.GivenName + " " + a.FamilyName
}

// programName is a program's catalog name, or the text staff typed for a
// paper application.
func programName(lang, program string) string {
	if i18n.Has(lang, program) {
		return i18n.In(lang, program)
	}
	return program
}

// date is a long Canada.ca date, empty for none.
func date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return i18n.FormatDate(lang, t)
}

// href puts a page's path (after the language prefix) in lang.
func href(lang, rest string) string {
	if rest == "" {
		return ""
	}
	return "/" + lang + rest
}

// contactShow is the contact details form.
func (m *Module) contactShow(c echo.Context) error {
	acc := mustAccount(c)
	return web.Render(c, http.StatusOK, views.Contact(views.ContactView{Email: acc.Email, Lang: acc.Lang}))
}

// contactSubmit changes the account's email and language of letters.
func (m *Module) contactSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	acc := mustAccount(c)
	f := readContact(c)
	if errs := f.validate(); len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Contact(views.ContactView{Email: f.Email, Lang: f.Lang, Errs: errs}))
	}
	ip, ua := web.Client(c)
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := m.store.UpdateContact(ctx, tx, acc.ID, f.Email, f.Lang); err != nil {
			return err
		}
		if f.Email == acc.Email {
			return nil
		}
		// IRCC writes about an application at the email on it: the
		// applications still open follow the account's new address.
		if m.applications != nil {
			if _, err := m.applications.SetEmail(ctx, tx, acc.ID, f.Email); err != nil {
				return err
			}
		}
		return m.audit.Service(ctx, tx, Service, acc.PairwiseID, audit.EmailChanged, ip, ua, "")
	})
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, "/ircc/?done="+string(views.DoneContact)))
}
