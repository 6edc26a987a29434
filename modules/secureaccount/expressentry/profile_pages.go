package expressentry

import (
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/secureaccount/expressentry/views"
)

// listShow is /{lang}/ircc/express-entry/: the person's profiles.
func (m *Module) listShow(c echo.Context) error {
	ctx := c.Request().Context()
	acc := accountOf(c)
	lang := web.Lang(c)
	rs, err := m.store.profiles(ctx, acc.ID)
	if err != nil {
		return err
	}
	v := views.ListView{CanStart: true}
	for _, r := range rs {
		row := views.ProfileRow{Href: web.URL(c, profileHref(r.ID)), Number: r.Number.String, StatusKey: StatusKey(r.Status),
			Updated: i18n.FormatDate(lang, r.UpdatedAt)}
		if r.Status != StatusDraft {
			row.Score = strconv.Itoa(r.Score)
		}
		if r.ExpiresAt.Valid {
			row.Expires = i18n.FormatDate(lang, r.ExpiresAt.Time)
		}
		if r.Status == StatusDraft || r.Status == StatusSubmitted || r.Status == StatusInvited {
			v.CanStart = false
			if v.Active == "" {
				v.Active = row.Href
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return web.Render(c, http.StatusOK, views.List(v))
}

// startSubmit starts a draft, unless the person already has a profile in
// progress or in the pool, which they are taken to instead.
func (m *Module) startSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	acc := accountOf(c)
	var id int64
	err := m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		existing, err := m.store.active(ctx, tx, acc.ID)
		if err != nil || existing != 0 {
			id = existing
			return err
		}
		id, err = m.store.createDraft(ctx, tx, acc.ID, m.clock.Now())
		return err
	})
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, profileHref(id)+"/step/1"))
}

// profileShow is a profile's page: its status, number and code, score,
// and invitations.
func (m *Module) profileShow(c echo.Context) error {
	return m.renderProfile(c, false)
}

// confirmationShow is the page right after submitting.
func (m *Module) confirmationShow(c echo.Context) error {
	return m.renderProfile(c, true)
}

func (m *Module) renderProfile(c echo.Context, confirmation bool) error {
	ctx := c.Request().Context()
	acc := accountOf(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := m.store.profile(ctx, m.db.R, acc.ID, id)
	if err != nil {
		return notFound(err)
	}
	// The confirmation says the profile is in the pool: only while it is.
	switch {
	case confirmation && r.Status == StatusDraft:
		return web.Redirect(c, web.URL(c, profileHref(id)+"/review"))
	case confirmation && r.Status != StatusSubmitted:
		return web.Redirect(c, web.URL(c, profileHref(id)))
	}
	lang := web.Lang(c)
	v := views.ProfileView{ID: id, Confirmation: confirmation, StatusKey: StatusKey(r.Status), Draft: r.Status == StatusDraft,
		Number: r.Number.String, JSVC: r.JSVC, UCI: r.UCI}
	if c.QueryParam("declined") == "1" {
		// Declining after the 12 months leaves the pool, not returns to it.
		v.DeclinedKey = "ee.decline.done"
		if r.Status == StatusExpired {
			v.DeclinedKey = "ee.decline.done_expired"
		}
	}
	if r.SubmittedAt.Valid {
		v.Submitted = i18n.FormatDateTime(lang, r.SubmittedAt.Time)
	}
	if r.ExpiresAt.Valid {
		v.Expires = i18n.FormatDate(lang, r.ExpiresAt.Time)
	}
	if r.NominatedBy != "" {
		v.Nominated = optionKey(jurisdictionOptions, r.NominatedBy)
	}
	if v.Draft {
		a, err := r.answers()
		if err != nil {
			return err
		}
		v.ReviewHref = web.URL(c, profileHref(id)+"/review")
		v.ContinueHref = v.ReviewHref
		if missing := a.Incomplete(m.clock.Now()); len(missing) > 0 {
			v.ContinueHref = web.URL(c, profileHref(id)+"/step/"+strconv.Itoa(missing[0]))
		}
	} else {
		b, err := r.breakdown()
		if err != nil {
			return err
		}
		if b != nil {
			v.Score = breakdownView(*b)
		}
	}
	invs, err := m.store.invitations(ctx, id)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	for _, inv := range invs {
		status := inv.Status
		if status == InvitationOpen && !inv.RespondBy.After(now) {
			// Past its 60 days; the expiry job has yet to close it.
			status = InvitationExpired
		}
		iv := views.InvitationView{StatusKey: invitationStatusKey(status), Open: status == InvitationOpen,
			Invited: i18n.FormatDate(lang, inv.InvitedAt), RespondBy: i18n.FormatDateTime(lang, inv.RespondBy), Score: inv.Score,
			Application: inv.ApplicationNumber}
		if iv.Open {
			iv.Checklist = checklist(lang)
			iv.ApplyHref = web.URL(c, profileHref(id)+"/invitation/apply")
			iv.DeclineHref = web.URL(c, profileHref(id)+"/invitation/decline")
		}
		if c.QueryParam("applied") == "1" && inv.Status == InvitationApplied && v.Applied == "" {
			v.Applied = inv.ApplicationNumber
		}
		v.Invitations = append(v.Invitations, iv)
	}
	return web.Render(c, http.StatusOK, views.Profile(v))
}

// checklist is the documents an invitation asks for, in lang.
func checklist(lang string) []string {
	return []string{
		i18n.In(lang, "ee.doc.passport"),
		i18n.In(lang, "ee.doc.police"),
		i18n.In(lang, "ee.doc.medical"),
		i18n.In(lang, "ee.doc.funds"),
		i18n.In(lang, "ee.doc.language"),
		i18n.In(lang, "ee.doc.photo"),
	}
}
