package staff

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/i18n"
	"guichet/app/identity"
	"guichet/app/throttle"
	"guichet/app/web"
	"guichet/modules/staff/views"
	"guichet/templates"
)

// entryPath is the console's entry page in the request's language.
func entryPath(c echo.Context) string { return web.URL(c, "/staff/") }

// principal is the request's staff Principal, only if it came from a
// GCKey with the authenticator app (the entry admits nothing else; this
// repeats the rule where it matters).
func (m *Module) principal(c echo.Context) (identity.Principal, bool) {
	p, ok := m.identity.Principal(c.Request().Context(), Service)
	if !ok || p.Method != identity.KindGCKey || p.Factor != identity.FactorApp {
		return identity.Principal{}, false
	}
	return p, true
}

// allowed tells whether role may use something open to roles: an
// administrator always may, and no roles means every role.
func allowed(role string, roles []string) bool {
	if role == identity.RoleAdministrator || len(roles) == 0 {
		return true
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// RequireRole lets through only an active staff member holding one of
// roles (an administrator always passes), and records them for the
// handler (identity.StaffOf). Anyone without the staff Principal goes to
// the console's entry page; a person who is not an active member, or
// lacks the role, gets a 403 page. Membership is read on every request,
// so a revoked member is refused at once. It is an identity.RoleGate.
func (m *Module) RequireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := m.principal(c)
			if !ok {
				return web.Redirect(c, entryPath(c))
			}
			mem, err := m.store.MemberByPairwise(c.Request().Context(), p.PairwiseID)
			switch {
			case errors.Is(err, ErrNotFound):
				return web.Render(c, http.StatusForbidden, views.Forbidden(views.ForbiddenView{Reason: views.NotEnrolled}))
			case err != nil:
				return err
			case !mem.Active():
				return web.Render(c, http.StatusForbidden, views.Forbidden(views.ForbiddenView{Reason: views.Removed}))
			case !allowed(mem.Role, roles):
				return web.Render(c, http.StatusForbidden, views.Forbidden(views.ForbiddenView{Reason: views.NoRole}))
			}
			identity.WithStaff(c, identity.Staff{ID: mem.ID, Name: mem.Name, Role: mem.Role})
			return next(c)
		}
	}
}

// home is the console's entry for a person holding the staff Principal:
// the console for an active member, the enrolment code form for anyone
// else, and for a removed member a 403 page that also takes a new code.
func (m *Module) home(c echo.Context) error {
	ctx := c.Request().Context()
	p, ok := m.principal(c)
	if !ok {
		return web.Render(c, http.StatusForbidden, templates.AppOnly(templates.AppOnlyView{
			ServiceName: i18n.T(ctx, "service.staff.title"), Switch: web.URL(c, "/staff/switch"),
		}))
	}
	mem, err := m.store.MemberByPairwise(ctx, p.PairwiseID)
	switch {
	case errors.Is(err, ErrNotFound):
		return web.Render(c, http.StatusOK, views.Redeem(views.RedeemView{}))
	case err != nil:
		return err
	case !mem.Active():
		return web.Render(c, http.StatusForbidden, views.Redeem(views.RedeemView{Removed: true}))
	}
	v := views.ConsoleView{Name: mem.Name, Role: mem.Role, Enrolled: c.QueryParam("enrolled") == "1",
		Admin: mem.Role == identity.RoleAdministrator}
	m.sectionsMu.RLock()
	for _, s := range m.sections {
		if allowed(mem.Role, s.Roles) {
			v.Sections = append(v.Sections, views.SectionLink{Label: i18n.T(ctx, s.NameKey), Href: web.URL(c, s.Path)})
		}
	}
	m.sectionsMu.RUnlock()
	return web.Render(c, http.StatusOK, views.Console(v))
}

// codeKey is the throttle key of a person's wrong enrolment codes.
func codeKey(pairwiseID string) string { return "staff-enrol:" + pairwiseID }

// redeemGuard is what both redeeming steps check first: a staff Principal
// from the app, and not already an active member. It returns the pairwise
// id and whether the person's access was removed, or done with the
// response already written.
func (m *Module) redeemGuard(c echo.Context) (pairwiseID string, removed, done bool, err error) {
	p, ok := m.principal(c)
	if !ok {
		return "", false, true, web.Redirect(c, entryPath(c))
	}
	mem, err := m.store.MemberByPairwise(c.Request().Context(), p.PairwiseID)
	switch {
	case errors.Is(err, ErrNotFound):
		return p.PairwiseID, false, false, nil
	case err != nil:
		return "", false, true, err
	case mem.Active():
		return "", false, true, web.Redirect(c, entryPath(c))
	}
	return p.PairwiseID, true, false, nil
}

// The problems of the code form. A wrong code is one message, whatever
// made it wrong.
var (
	codeRequired = views.Problem{Field: "code", Key: "staff.code.required"}
	codeInvalid  = views.Problem{Field: "code", Key: "staff.code.invalid"}
	codeLocked   = views.Problem{Field: "code", Key: "staff.code.locked"}
)

// refuseCode re-renders the code form with one problem.
func refuseCode(c echo.Context, status int, v views.RedeemView, p views.Problem) error {
	v.Errs = views.Problems{p}
	return web.Render(c, status, views.Redeem(v))
}

// takeTry counts one code on the person's counter before the code is
// checked, so codes sent all at once cannot all be checked while the
// first ones are still being counted: at most WrongCodeRule.Limit are
// checked in a window, the last of them locking the form. A refused code
// is not checked and gets the locked answer (stop is true, the response
// written). A confirmed enrolment clears the count; a right code at the
// first step does not, or anyone holding one valid code could clear the
// count between guesses at another.
func (m *Module) takeTry(c echo.Context, pairwiseID string, v views.RedeemView) (try throttle.Try, stop bool, err error) {
	try, err = m.throttle.Take(c.Request().Context(), codeKey(pairwiseID), WrongCodeRule)
	if err != nil {
		return try, true, err
	}
	if !try.Allowed {
		return try, true, refuseCode(c, http.StatusTooManyRequests, v, codeLocked)
	}
	return try, false, nil
}

// wrongCode says a code was wrong, without saying why (unknown, used,
// expired or withdrawn all read the same). The code was counted by
// takeTry; when it was the last try, the form is now locked.
func (m *Module) wrongCode(c echo.Context, try throttle.Try, v views.RedeemView) error {
	if try.Last {
		return refuseCode(c, http.StatusTooManyRequests, v, codeLocked)
	}
	return refuseCode(c, http.StatusUnprocessableEntity, v, codeInvalid)
}

// redeemCheck looks the code up, uses nothing, and shows whom it is for.
func (m *Module) redeemCheck(c echo.Context) error {
	pairwiseID, removed, done, err := m.redeemGuard(c)
	if done {
		return err
	}
	code := strings.TrimSpace(c.FormValue("code"))
	v := views.RedeemView{Removed: removed, Code: code}
	if code == "" {
		return refuseCode(c, http.StatusUnprocessableEntity, v, codeRequired)
	}
	try, stop, err := m.takeTry(c, pairwiseID, v)
	if stop {
		return err
	}
	g, err := m.openGrant(c.Request().Context(), code)
	if errors.Is(err, ErrInvalidCode) {
		return m.wrongCode(c, try, v)
	}
	if err != nil {
		return err
	}
	// A right code on the last try: the form is locked now, so the
	// confirmation would be refused. Say so here rather than show a
	// confirmation that cannot be submitted.
	if try.Last {
		return refuseCode(c, http.StatusTooManyRequests, v, codeLocked)
	}
	return web.Render(c, http.StatusOK, views.Confirm(views.ConfirmView{
		Code: code, Name: g.Name, Role: g.Role, Expires: i18n.FormatDateTime(web.Lang(c), g.ExpiresAt),
	}))
}

// redeemConfirm uses the code and makes the person a member.
func (m *Module) redeemConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	pairwiseID, removed, done, err := m.redeemGuard(c)
	if done {
		return err
	}
	code := strings.TrimSpace(c.FormValue("code"))
	v := views.RedeemView{Removed: removed}
	if code == "" {
		return refuseCode(c, http.StatusUnprocessableEntity, v, codeRequired)
	}
	try, stop, err := m.takeTry(c, pairwiseID, v)
	if stop {
		return err
	}
	ip, ua := web.Client(c)
	_, err = m.redeem(ctx, pairwiseID, code, ip, ua)
	switch {
	case errors.Is(err, ErrInvalidCode):
		return m.wrongCode(c, try, v)
	case errors.Is(err, ErrAlreadyMember):
		return web.Redirect(c, entryPath(c))
	case err != nil:
		return err
	}
	// Becoming staff raises what the session can do: a new token, so a
	// token seen before enrolment is worth nothing after it.
	if err := m.identity.Renew(ctx); err != nil {
		return err
	}
	if err := m.throttle.Reset(ctx, codeKey(pairwiseID)); err != nil {
		m.log.Warn("staff: reset enrolment counter", "err", err)
	}
	return web.Redirect(c, web.URL(c, "/staff/?enrolled=1"))
}

// activityLimit is how many staff events the activity page shows.
const activityLimit = 200

// activityShow lists recent staff actions (administrators).
func (m *Module) activityShow(c echo.Context) error {
	ctx := c.Request().Context()
	rows, err := m.audit.ServiceRecent(ctx, Service, activityLimit)
	if err != nil {
		return err
	}
	members, err := m.store.Members(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, mem := range members {
		id := strconv.FormatInt(mem.ID, 10)
		names[Service+":"+id] = i18n.T(ctx, "staff.activity.member", mem.Name, id)
	}
	lang := web.Lang(c)
	v := views.ActivityView{}
	for _, r := range rows {
		who, ok := names[r.Subject]
		switch {
		case r.Subject == Service+":"+cliSubject:
			who = i18n.T(ctx, "staff.activity.cli")
		case !ok:
			who = r.Subject
		}
		row := views.ActivityRow{When: i18n.FormatDateTime(lang, r.At), Who: who, IP: r.IP}
		if text, translated := audit.DetailIn(lang, r.Detail); translated {
			row.Detail = text
		} else {
			// Recorded as free text, in English.
			row.Detail, row.DetailLang = text, i18n.EN
		}
		if r.Event != audit.StaffAction {
			row.Event = string(r.Event)
		}
		v.Rows = append(v.Rows, row)
	}
	return web.Render(c, http.StatusOK, views.Activity(v))
}

// membersShow lists members and grants (administrators).
func (m *Module) membersShow(c echo.Context) error {
	ctx := c.Request().Context()
	self, _ := identity.StaffOf(c)
	members, grants, err := m.List(ctx)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	now := m.clock.Now()
	v := views.MembersView{}
	switch d := views.Done(c.QueryParam("done")); d {
	case views.DoneMember, views.DoneGrant, views.RefusedSelf, views.RefusedGone:
		v.Done = d
	}
	for _, mem := range members {
		r := views.MemberRow{ID: strconv.FormatInt(mem.ID, 10), Name: mem.Name, Role: mem.Role,
			Enrolled: i18n.FormatDate(lang, mem.EnrolledAt), Self: mem.ID == self.ID}
		if mem.RevokedAt != nil {
			r.Revoked = i18n.FormatDate(lang, *mem.RevokedAt)
		}
		v.Members = append(v.Members, r)
	}
	for _, g := range grants {
		st := g.State(now)
		if st == GrantRedeemed {
			continue
		}
		v.Grants = append(v.Grants, views.GrantRow{ID: strconv.FormatInt(g.ID, 10), Name: g.Name, Role: g.Role,
			Created: i18n.FormatDateTime(lang, g.CreatedAt), Expires: i18n.FormatDateTime(lang, g.ExpiresAt),
			State: st, Open: st == GrantPending})
	}
	return web.Render(c, http.StatusOK, views.Members(v))
}

// acting is the member RequireRole let through, as the audit log names
// them.
func acting(c echo.Context) (identity.Staff, actor) {
	s, _ := identity.StaffOf(c)
	ip, ua := web.Client(c)
	return s, actor{subject: strconv.FormatInt(s.ID, 10), ip: ip, ua: ua}
}

func membersDone(c echo.Context, d views.Done) error {
	return web.Redirect(c, web.URL(c, "/staff/members?done="+string(d)))
}

// memberRevoke removes a member's access (administrators, not themselves).
func (m *Module) memberRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	self, a := acting(c)
	if id == self.ID {
		return membersDone(c, views.RefusedSelf)
	}
	err = m.revokeMember(c.Request().Context(), a, id)
	if errors.Is(err, ErrNotFound) {
		return membersDone(c, views.RefusedGone)
	}
	if err != nil {
		return err
	}
	return membersDone(c, views.DoneMember)
}

// grantRevoke withdraws a grant not yet redeemed (administrators).
func (m *Module) grantRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	_, a := acting(c)
	err = m.revokeGrant(c.Request().Context(), a, id)
	if errors.Is(err, ErrNotFound) {
		return membersDone(c, views.RefusedGone)
	}
	if err != nil {
		return err
	}
	return membersDone(c, views.DoneGrant)
}
