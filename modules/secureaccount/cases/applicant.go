package cases

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/web"
	"guichet/modules/secureaccount/cases/views"
)

// who returns the signed-in person's account. Someone holding the ircc
// Principal who has not enrolled yet goes to the entry page, which
// enrols. done means a response was written.
func (m *Module) who(c echo.Context) (Applicant, bool, error) {
	acc, ok := m.accounts.Current(c)
	if !ok {
		return Applicant{}, true, web.Redirect(c, web.URL(c, irccHome))
	}
	p := m.identity.PrincipalOf(c, "ircc")
	ip, ua := web.Client(c)
	return Applicant{AccountID: acc.ID, PairwiseID: p.PairwiseID, Lang: web.Lang(c), IP: ip, UA: ua}, false, nil
}

// idParam reads a numeric id from the path; anything else is not found.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// notFound turns "not found" into a 404 page and lets other errors through.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return echo.ErrNotFound
	}
	return err
}

func historyRows(evs []Event) []views.HistoryRow {
	out := make([]views.HistoryRow, 0, len(evs))
	for _, e := range evs {
		out = append(out, views.HistoryRow{At: e.At, Kind: e.Kind, Status: e.Status, Who: e.StaffName, Note: e.Note})
	}
	return out
}

// applicationShow is the person's own application; anyone else's is not
// found.
func (m *Module) applicationShow(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := m.store.Application(ctx, m.db.R, id)
	if err != nil {
		return notFound(err)
	}
	if a.Account() != who.AccountID {
		return echo.ErrNotFound
	}
	evs, err := m.store.Events(ctx, id)
	if err != nil {
		return err
	}
	// The person sees what happened and when, never who did it or the
	// staff's notes.
	rows := historyRows(evs)
	for i := range rows {
		rows[i].Who, rows[i].Note = "", ""
	}
	return web.Render(c, http.StatusOK, views.Application(views.ApplicationView{
		Number: a.Number, Kind: a.Kind, Program: a.Program, Status: a.Status,
		Submitted: a.SubmittedAt, Updated: a.UpdatedAt, Decided: a.DecidedAt, History: rows,
		Linked: c.QueryParam("linked") == "1",
	}))
}

// reportShow is the technical-problem form; ?number= fills in the number.
func (m *Module) reportShow(c echo.Context) error {
	if _, done, err := m.who(c); done {
		return err
	}
	return web.Render(c, http.StatusOK, views.Report(views.ReportView{Number: strings.TrimSpace(c.QueryParam("number"))}))
}

func (m *Module) reportSubmit(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	f := reportForm{
		Number:      strings.TrimSpace(c.FormValue("number")),
		Description: strings.TrimSpace(c.FormValue("description")),
		SubmittedOn: strings.TrimSpace(c.FormValue("submitted")),
		Details:     strings.TrimSpace(c.FormValue("details")),
	}
	v := views.ReportView{Number: f.Number, Description: f.Description, Submitted: f.SubmittedOn, Details: f.Details}
	if v.Errs = f.validate(m.clock.Now()); len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Report(v))
	}
	// The queue is read by people: one account cannot bury it.
	ok, err := m.throttle.Allow(c.Request().Context(), reportKey(who.AccountID), reportRule)
	if err != nil {
		return err
	}
	if !ok {
		v.Errs = views.Problems{problem("details", "cases.report.too_many", reportRule.Limit)}
		return web.Render(c, http.StatusTooManyRequests, views.Report(v))
	}
	id, err := m.AddReport(c.Request().Context(), who, Report{
		ApplicationNumber: NormalizeNumber(f.Number), Description: f.Description, SubmittedOn: f.SubmittedOn, Details: f.Details,
	})
	if err != nil {
		return err
	}
	return web.Redirect(c, web.URL(c, reportPath+"/"+strconv.FormatInt(id, 10)))
}

// reportSent confirms the person's own report.
func (m *Module) reportSent(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := m.store.Report(c.Request().Context(), id)
	if err != nil {
		return notFound(err)
	}
	if r.AccountID != who.AccountID {
		return echo.ErrNotFound
	}
	return web.Render(c, http.StatusOK, views.ReportSent(views.ReportSentView{
		Reference: ReportReference(r.ID), Number: r.ApplicationNumber, Description: r.Description,
		Submitted: r.SubmittedOn, Sent: r.CreatedAt,
	}))
}

// ReportReference is how a report is quoted: "TP-000042".
func ReportReference(id int64) string {
	s := strconv.FormatInt(id, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return "TP-" + s
}

func (m *Module) linkShow(c echo.Context) error {
	if _, done, err := m.who(c); done {
		return err
	}
	return web.Render(c, http.StatusOK, views.Link(views.LinkView{}))
}

// linkSubmit checks the details. Every wrong answer reads the same,
// whether or not the number exists.
func (m *Module) linkSubmit(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	f := linkForm{
		Number: strings.TrimSpace(c.FormValue("number")),
		Family: strings.TrimSpace(c.FormValue("family")),
		Birth:  strings.TrimSpace(c.FormValue("birth")),
	}
	v := views.LinkView{Number: f.Number, Family: f.Family, Birth: f.Birth, Errs: f.validate(m.clock.Now())}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Link(v))
	}
	res, err := m.RequestLink(c.Request().Context(), who, f.Number, f.Family, f.Birth)
	if err != nil {
		return err
	}
	switch res.Outcome {
	case LinkLocked:
		until := res.Until
		v.LockedUntil = &until
		return web.Render(c, http.StatusTooManyRequests, views.Link(v))
	case LinkWrong:
		v.Errs = views.Problems{problem("number", "cases.link.no_match")}
		return web.Render(c, http.StatusUnprocessableEntity, views.Link(v))
	case LinkTooManyCodes:
		v.Errs = views.Problems{problem("number", "cases.link.too_many_codes")}
		return web.Render(c, http.StatusTooManyRequests, views.Link(v))
	case LinkAlreadyYours:
		return web.Redirect(c, web.URL(c, appsBase+strconv.FormatInt(res.ApplicationID, 10)))
	}
	return web.Redirect(c, web.URL(c, linkPath+"/"+strconv.FormatInt(res.RequestID, 10)))
}

// linkStatus shows the person's own request: the code form, the wait for
// staff, or where the application went.
func (m *Module) linkStatus(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	l, a, err := m.OwnLink(c.Request().Context(), who.AccountID, id)
	if err != nil {
		return notFound(err)
	}
	switch l.Status {
	case LinkCodeSent:
		return web.Render(c, http.StatusOK, views.LinkConfirm(views.LinkConfirmView{ID: l.ID, Number: a.Number}))
	case LinkAwaitingStaff, LinkRefused:
		return web.Render(c, http.StatusOK, views.LinkWaiting(views.LinkWaitingView{Number: a.Number, Refused: l.Status == LinkRefused}))
	case LinkDone:
		if a.Account() == who.AccountID {
			return web.Redirect(c, web.URL(c, appsBase+strconv.FormatInt(a.ID, 10)+"?linked=1"))
		}
	}
	return web.Redirect(c, web.URL(c, linkPath))
}

func (m *Module) linkConfirm(c echo.Context) error {
	who, done, err := m.who(c)
	if done {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	l, a, err := m.OwnLink(ctx, who.AccountID, id)
	if err != nil {
		return notFound(err)
	}
	if l.Status != LinkCodeSent {
		return web.Redirect(c, web.URL(c, linkPath+"/"+strconv.FormatInt(id, 10)))
	}
	typed := c.FormValue("code")
	v := views.LinkConfirmView{ID: id, Number: a.Number, Errs: codeProblems(typed)}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.LinkConfirm(v))
	}
	res, err := m.ConfirmLink(ctx, who, id, typed)
	if errors.Is(err, ErrStale) {
		// Confirmed twice at once, or staff acted first: the request's
		// page says where things stand.
		return web.Redirect(c, web.URL(c, linkPath+"/"+strconv.FormatInt(id, 10)))
	}
	if err != nil {
		return notFound(err)
	}
	switch res.Outcome {
	case LinkLocked:
		until := res.Until
		v.LockedUntil = &until
		return web.Render(c, http.StatusTooManyRequests, views.LinkConfirm(v))
	case LinkWrong:
		v.Errs = views.Problems{problem("code", "cases.link.code_wrong")}
		return web.Render(c, http.StatusUnprocessableEntity, views.LinkConfirm(v))
	}
	return web.Redirect(c, web.URL(c, appsBase+strconv.FormatInt(res.ApplicationID, 10)+"?linked=1"))
}
