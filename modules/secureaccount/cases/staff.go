package cases

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/audit"
	"guichet/app/identity"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/cases/views"
)

// pageSize is how many applications a search page lists; maxPage the
// last page asked for that is taken as it is.
const (
	pageSize = 20
	maxPage  = 100_000
)

// actor is the staff member RoleGate let through. The gate is in front of
// every staff route, so a request without one is refused outright.
func actor(c echo.Context) (Actor, error) {
	s, ok := identity.StaffOf(c)
	if !ok {
		return Actor{}, echo.ErrForbidden
	}
	ip, ua := web.Client(c)
	return Actor{Staff: s, IP: ip, UA: ua}, nil
}

func (m *Module) staffHome(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	open, _, err := m.store.Reports(ctx, 0)
	if err != nil {
		return err
	}
	links, err := m.store.LinksWaiting(ctx)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.StaffHome(views.StaffHomeView{OpenReports: len(open), WaitingLinks: len(links)}))
}

// staffSearch finds applications; an empty term lists the newest.
func (m *Module) staffSearch(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	by := c.QueryParam("by")
	q := strings.TrimSpace(c.QueryParam("q"))
	pg, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || pg < 1 {
		pg = 1
	}
	// A page number past any real list would only overflow the offset.
	pg = min(pg, maxPage)
	v := views.SearchView{By: by, Q: q, Page: pg}
	switch {
	case by == "" && q == "":
		by = ByNumber
	case by != ByNumber && by != ByUCI && by != ByFamily:
		v.Errs = append(v.Errs, problem("by-number", "cases.staff.by_required"))
	case by == ByUCI && q != "" && strings.Trim(q, "0123456789") != "":
		v.Errs = append(v.Errs, problem("q", "cases.staff.uci_format"))
	default:
		v.Errs = append(v.Errs, textProblems("q", q, maxShort, false)...)
	}
	if len(v.Errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Search(v))
	}
	apps, err := m.store.Search(c.Request().Context(), by, q, (pg-1)*pageSize, pageSize+1)
	if err != nil {
		return err
	}
	link := func(p int) string {
		u := url.Values{"by": {by}, "q": {q}, "page": {strconv.Itoa(p)}}
		return web.URL(c, staffApps) + "?" + u.Encode()
	}
	if len(apps) > pageSize {
		apps = apps[:pageSize]
		v.Next = link(pg + 1)
	}
	if pg > 1 {
		v.Prev = link(pg - 1)
	}
	for _, a := range apps {
		v.Rows = append(v.Rows, views.SearchRow{
			ID: a.ID, Number: a.Number, UCI: a.UCI, Name: strings.TrimSpace(a.GivenName + " " + a.FamilyName),
			Program: a.Program, Status: a.Status, Submitted: a.SubmittedAt,
		})
	}
	return web.Render(c, http.StatusOK, views.Search(v))
}

// readableJSON indents the form's answers for staff to read; anything
// that is not JSON is shown as it is.
func readableJSON(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String()
}

func documentRows(docs []account.Document) []views.DocumentRow {
	out := make([]views.DocumentRow, 0, len(docs))
	for _, d := range docs {
		out = append(out, views.DocumentRow{ID: d.ID, Label: d.RequestLabel, Filename: d.Filename, Size: d.Size, Uploaded: d.Uploaded})
	}
	return out
}

// staffView builds the application page, forms empty.
func (m *Module) staffView(ctx context.Context, id int64) (views.StaffAppView, error) {
	a, err := m.store.Application(ctx, m.db.R, id)
	if err != nil {
		return views.StaffAppView{}, err
	}
	evs, err := m.store.Events(ctx, id)
	if err != nil {
		return views.StaffAppView{}, err
	}
	docs, err := m.documents.ForApplication(ctx, id)
	if err != nil {
		return views.StaffAppView{}, err
	}
	v := views.StaffAppView{
		ID: a.ID, Number: a.Number, Kind: a.Kind, Program: a.Program, GivenName: a.GivenName, FamilyName: a.FamilyName,
		BirthDate: a.BirthDate, Email: a.Email, UCI: a.UCI, Linked: a.Account() != 0, Status: a.Status,
		Submitted: a.SubmittedAt, Updated: a.UpdatedAt, Decided: a.DecidedAt, Data: readableJSON(a.Data),
		History: historyRows(evs), Documents: documentRows(docs), NextStatus: StatusChoices(a.Status),
		CanRequest:  a.Status == account.StatusDocumentsRequested || CanMove(a.Status, account.StatusDocumentsRequested),
		MessageForm: views.MessageFormView{Kind: account.LetterGeneral},
	}
	if a.Account() != 0 {
		msgs, err := m.correspondence.ForAccount(ctx, a.Account())
		if err != nil {
			return v, err
		}
		for _, msg := range msgs {
			if msg.ApplicationID != id {
				continue
			}
			row := views.LetterRow{Kind: msg.Kind, Subject: msg.Subject, Body: msg.Body, Sent: msg.Sent, Read: msg.Read}
			for _, r := range msg.Replies {
				row.Replies = append(row.Replies, views.ReplyRow{Body: r.Body, Sent: r.Sent, Documents: documentRows(r.Documents)})
			}
			v.Letters = append(v.Letters, row)
		}
	}
	return v, nil
}

func (m *Module) staffApplication(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := m.staffView(c.Request().Context(), id)
	if err != nil {
		return notFound(err)
	}
	v.Done = c.QueryParam("done")
	return web.Render(c, http.StatusOK, views.StaffApplication(v))
}

// staffAct reads the staff member and the application for one of the
// page's forms.
func (m *Module) staffAct(c echo.Context) (Actor, views.StaffAppView, error) {
	who, err := actor(c)
	if err != nil {
		return who, views.StaffAppView{}, err
	}
	id, err := idParam(c)
	if err != nil {
		return who, views.StaffAppView{}, err
	}
	v, err := m.staffView(c.Request().Context(), id)
	return who, v, notFound(err)
}

func (m *Module) doneRedirect(c echo.Context, id int64, done string) error {
	return web.Redirect(c, web.URL(c, staffApps+"/"+strconv.FormatInt(id, 10)+"?done="+done))
}

func (m *Module) staffStatus(c echo.Context) error {
	who, v, err := m.staffAct(c)
	if err != nil {
		return err
	}
	f := statusForm{Status: c.FormValue("status"), Note: strings.TrimSpace(c.FormValue("note"))}
	v.StatusForm = views.StatusFormView{Status: f.Status, Note: f.Note}
	v.StatusErrs = f.validate(v.Status)
	if len(v.StatusErrs) == 0 {
		err := m.ChangeStatus(c.Request().Context(), v.ID, f.Status, f.Note, who)
		switch {
		case errors.Is(err, ErrTransition), errors.Is(err, ErrStale):
			v.StatusErrs = views.Problems{problem("status", "cases.staff.status_stale")}
		case err != nil:
			return err
		default:
			return m.doneRedirect(c, v.ID, "status")
		}
	}
	return web.Render(c, http.StatusUnprocessableEntity, views.StaffApplication(v))
}

func (m *Module) staffMessage(c echo.Context) error {
	who, v, err := m.staffAct(c)
	if err != nil {
		return err
	}
	f := messageForm{
		Kind: c.FormValue("kind"), Subject: strings.TrimSpace(c.FormValue("subject")),
		Body: strings.TrimSpace(c.FormValue("body")), NeedsReply: c.FormValue("needs_reply") == "yes",
	}
	v.MessageForm = views.MessageFormView{Kind: f.Kind, Subject: f.Subject, Body: f.Body, NeedsReply: f.NeedsReply}
	v.MessageErrs = f.validate()
	if len(v.MessageErrs) == 0 {
		err := m.SendMessage(c.Request().Context(), v.ID, f.Kind, f.Subject, f.Body, f.NeedsReply, who)
		switch {
		case errors.Is(err, ErrNoAccount):
			v.MessageErrs = views.Problems{problem("msg-subject", "cases.staff.no_account")}
		case err != nil:
			return err
		default:
			return m.doneRedirect(c, v.ID, "message")
		}
	}
	return web.Render(c, http.StatusUnprocessableEntity, views.StaffApplication(v))
}

func (m *Module) staffRequest(c echo.Context) error {
	who, v, err := m.staffAct(c)
	if err != nil {
		return err
	}
	f := requestForm{Labels: c.FormValue("labels"), Note: strings.TrimSpace(c.FormValue("note"))}
	v.RequestForm = views.RequestFormView{Labels: f.Labels, Note: f.Note}
	v.RequestErrs = f.validate()
	if len(v.RequestErrs) == 0 {
		err := m.RequestDocuments(c.Request().Context(), v.ID, f.labels(), f.Note, who)
		switch {
		case errors.Is(err, ErrNoAccount):
			v.RequestErrs = views.Problems{problem("req-labels", "cases.staff.no_account")}
		case errors.Is(err, ErrTransition), errors.Is(err, ErrStale):
			v.RequestErrs = views.Problems{problem("req-labels", "cases.staff.status_stale")}
		case err != nil:
			return err
		default:
			return m.doneRedirect(c, v.ID, "request")
		}
	}
	return web.Render(c, http.StatusUnprocessableEntity, views.StaffApplication(v))
}

// servedTypes are the content types a download is labelled with; anything
// else goes out as bytes.
var servedTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// staffDocument sends an upload as a download that no browser renders:
// attachment, nosniff, and a sandbox in case it is opened anyway.
func (m *Module) staffDocument(c echo.Context) error {
	who, err := actor(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, body, err := m.documents.Open(ctx, id)
	if err != nil {
		return echo.ErrNotFound
	}
	if err := m.audit.Service(ctx, m.db.W, "staff", strconv.FormatInt(who.Staff.ID, 10), audit.StaffAction, who.IP, who.UA,
		audit.Described("cases.audit.download", strconv.FormatInt(id, 10), d.Filename)); err != nil {
		return err
	}
	ct := d.ContentType
	if !servedTypes[ct] {
		ct = "application/octet-stream"
	}
	name := d.Filename
	if name == "" {
		name = "document-" + strconv.FormatInt(id, 10)
	}
	account.ServeDocument(c, name, ct, body)
	return nil
}

func (m *Module) staffPaperShow(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Paper(views.PaperView{}))
}

func (m *Module) staffPaperSubmit(c echo.Context) error {
	who, err := actor(c)
	if err != nil {
		return err
	}
	f := paperForm{
		Program: strings.TrimSpace(c.FormValue("program")), GivenName: strings.TrimSpace(c.FormValue("given")),
		FamilyName: strings.TrimSpace(c.FormValue("family")), BirthDate: strings.TrimSpace(c.FormValue("birth")),
		Email: strings.TrimSpace(c.FormValue("email")),
	}
	if errs := f.validate(m.clock.Now()); len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.Paper(views.PaperView{
			Program: f.Program, GivenName: f.GivenName, FamilyName: f.FamilyName, BirthDate: f.BirthDate, Email: f.Email, Errs: errs,
		}))
	}
	id, _, err := m.RecordPaper(c.Request().Context(), account.NewApplication{
		Program: f.Program, GivenName: f.GivenName, FamilyName: f.FamilyName, BirthDate: f.BirthDate, Email: f.Email,
	}, who)
	if err != nil {
		return err
	}
	return m.doneRedirect(c, id, "recorded")
}

// reportRows are reports as the queue shows them, with who sent each.
func (m *Module) reportRows(ctx context.Context, rs []Report) ([]views.ReportRow, error) {
	out := make([]views.ReportRow, 0, len(rs))
	for _, r := range rs {
		acc, err := m.accounts.Get(ctx, r.AccountID)
		if err != nil {
			return nil, fmt.Errorf("cases: report %d: %w", r.ID, err)
		}
		out = append(out, views.ReportRow{ID: r.ID, Reference: ReportReference(r.ID),
			Name: strings.TrimSpace(acc.GivenName + " " + acc.FamilyName), Email: acc.Email,
			Number: r.ApplicationNumber, Description: r.Description,
			SubmittedOn: r.SubmittedOn, Details: r.Details, Sent: r.CreatedAt, Handled: r.HandledAt})
	}
	return out, nil
}

func (m *Module) staffReports(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	open, handled, err := m.store.Reports(ctx, 20)
	if err != nil {
		return err
	}
	v := views.ReportsView{Done: c.QueryParam("done") == "1"}
	if v.Open, err = m.reportRows(ctx, open); err != nil {
		return err
	}
	if v.Handled, err = m.reportRows(ctx, handled); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.Reports(v))
}

func (m *Module) staffReportHandled(c echo.Context) error {
	who, err := actor(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := m.HandleReport(c.Request().Context(), id, who); err != nil {
		return notFound(err)
	}
	return web.Redirect(c, web.URL(c, staffReports+"?done=1"))
}

func (m *Module) staffLinks(c echo.Context) error {
	if _, err := actor(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ls, err := m.store.LinksWaiting(ctx)
	if err != nil {
		return err
	}
	v := views.LinksView{Done: c.QueryParam("done")}
	for _, l := range ls {
		a, err := m.store.Application(ctx, m.db.R, l.ApplicationID)
		if err != nil {
			return err
		}
		to, err := m.accounts.Get(ctx, l.AccountID)
		if err != nil {
			return fmt.Errorf("cases: link request %d: %w", l.ID, err)
		}
		v.Rows = append(v.Rows, views.LinkRow{
			ID: l.ID, ApplicationID: a.ID, Number: a.Number, Name: strings.TrimSpace(a.GivenName + " " + a.FamilyName),
			BirthDate: a.BirthDate, ToAccount: l.AccountID, FromAccount: a.Account(), Requested: l.CreatedAt,
			Requester: views.Requester{Name: strings.TrimSpace(to.GivenName + " " + to.FamilyName), BirthDate: to.BirthDate, Email: to.Email},
		})
	}
	return web.Render(c, http.StatusOK, views.Links(v))
}

func (m *Module) staffLinkApprove(c echo.Context) error {
	who, err := actor(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := m.ApproveLink(c.Request().Context(), id, who); err != nil {
		if errors.Is(err, ErrStale) {
			return echo.ErrNotFound
		}
		return notFound(err)
	}
	return web.Redirect(c, web.URL(c, staffLinksURL+"?done=approved"))
}

func (m *Module) staffLinkRefuse(c echo.Context) error {
	who, err := actor(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := m.RefuseLink(c.Request().Context(), id, who); err != nil {
		return notFound(err)
	}
	return web.Redirect(c, web.URL(c, staffLinksURL+"?done=refused"))
}
