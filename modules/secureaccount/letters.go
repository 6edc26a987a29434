package secureaccount

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/views"
)

// idParam reads a numeric id from the path; anything else is a 404.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// notFound turns "not this account's" into a 404 page.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return echo.ErrNotFound
	}
	return err
}

// messagesList lists the account's letters, newest first.
func (m *Module) messagesList(c echo.Context) error {
	acc := mustAccount(c)
	lang := web.Lang(c)
	letters, err := m.store.Letters(c.Request().Context(), acc.ID)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := views.MessagesView{}
	for _, l := range letters {
		v.Rows = append(v.Rows, views.MessageRow{
			Href: web.URL(c, "/ircc/messages/"+strconv.FormatInt(l.ID, 10)), Subject: l.Subject,
			Kind: views.KindLabel(ctx, l.Kind), Sent: date(lang, l.Sent), Unread: !l.Read(),
		})
	}
	return web.Render(c, http.StatusOK, views.Messages(v))
}

// messageShow shows one letter and marks it read.
func (m *Module) messageShow(c echo.Context) error {
	ctx := c.Request().Context()
	acc := mustAccount(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	l, err := m.store.Letter(ctx, acc.ID, id)
	if err != nil {
		return notFound(err)
	}
	if !l.Read() {
		if err := m.store.MarkRead(ctx, acc.ID, id); err != nil {
			return err
		}
	}
	v, err := m.letterView(c, acc, l)
	if err != nil {
		return err
	}
	v.Replied = c.QueryParam("replied") == "1"
	return web.Render(c, http.StatusOK, views.Letter(v))
}

// letterView builds the letter's page: its text, what it asked for, the
// replies and, for a letter that asks for an answer, the reply form.
func (m *Module) letterView(c echo.Context, acc account.Account, l Letter) (views.LetterView, error) {
	ctx := c.Request().Context()
	lang := web.Lang(c)
	v := views.LetterView{ID: l.ID, Subject: l.Subject, Kind: views.KindLabel(ctx, l.Kind), Sent: date(lang, l.Sent),
		Paragraphs: views.Paragraphs(l.Body), NeedsReply: l.NeedsReply,
		Action: web.URL(c, "/ircc/messages/"+strconv.FormatInt(l.ID, 10)+"/reply")}
	requests, err := m.store.MessageRequests(ctx, acc.ID, l.ID)
	if err != nil {
		return v, err
	}
	for _, r := range requests {
		v.Requested = append(v.Requested, r.Label)
		if r.Open() && l.NeedsReply {
			v.Files = append(v.Files, m.requestField(c, r))
		}
	}
	replies, err := m.store.Replies(ctx, acc.ID, l.ID)
	if err != nil {
		return v, err
	}
	if len(replies) > 0 {
		docs, err := m.store.Documents(ctx, acc.ID)
		if err != nil {
			return v, err
		}
		for _, r := range replies {
			item := views.ReplyItem{Sent: date(lang, r.Sent), Paragraphs: views.Paragraphs(r.Body)}
			for _, d := range docs {
				if d.ReplyID == r.ID {
					item.Documents = append(item.Documents, m.documentLink(c, d))
				}
			}
			v.Replies = append(v.Replies, item)
		}
	}
	return v, nil
}

func (m *Module) requestField(c echo.Context, r Request) views.RequestField {
	id := strconv.FormatInt(r.ID, 10)
	return views.RequestField{ID: r.ID, Field: "file-" + id, Label: r.Label, Requested: date(web.Lang(c), r.Created),
		Action: web.URL(c, "/ircc/documents/requests/"+id)}
}

func (m *Module) documentLink(c echo.Context, d DocumentRow) views.DocumentLink {
	lang := web.Lang(c)
	return views.DocumentLink{Name: d.Filename, Label: d.RequestLabel, Uploaded: date(lang, d.Uploaded), Size: formatSize(lang, d.Size),
		Href: web.URL(c, "/ircc/documents/"+strconv.FormatInt(d.ID, 10)+"/download")}
}

// replySubmit records the person's answer to a letter that asks for one,
// with any files for the documents it asked for.
func (m *Module) replySubmit(c echo.Context) error {
	ctx := c.Request().Context()
	acc := mustAccount(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	l, err := m.store.Letter(ctx, acc.ID, id)
	if err != nil {
		return notFound(err)
	}
	if !l.NeedsReply {
		return echo.ErrNotFound
	}
	v, err := m.letterView(c, acc, l)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(c.FormValue("reply"), "\r\n", "\n")
	errs := replyProblems(text)
	type file struct {
		request int64
		upload  Upload
	}
	var files []file
	for _, f := range v.Files {
		u, key, err := readUpload(c, f.Field)
		if err != nil {
			return err
		}
		switch key {
		case "":
			files = append(files, file{f.ID, u})
		case uploadRequired:
			// Files are optional with a reply: they can follow on the
			// documents page.
		default:
			errs = append(errs, uploadProblem(f.Field, key))
		}
	}
	if len(errs) > 0 {
		v.Reply, v.Errs = text, errs
		return web.Render(c, http.StatusUnprocessableEntity, views.Letter(v))
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		replyID, err := m.store.AddReply(ctx, tx, acc.ID, l.ID, text)
		if err != nil {
			return err
		}
		for _, f := range files {
			if _, err := m.store.AddDocument(ctx, tx, acc.ID, f.request, replyID, f.upload); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(c, web.URL(c, "/ircc/messages/"+strconv.FormatInt(l.ID, 10)+"?replied=1"))
}

// uploadProblem is a file's problem on its field.
func uploadProblem(field, key string) views.Problem {
	if key == uploadTooLarge {
		return problem(field, key, MaxUpload>>20)
	}
	return problem(field, key)
}

// formatSize writes a file's size for people: "1.2 MB" / "1,2 Mo".
func formatSize(lang string, n int64) string {
	switch {
	case n < 1024:
		return i18n.In(lang, "ircc.size.bytes", strconv.FormatInt(n, 10))
	case n < 1024*1024:
		return i18n.In(lang, "ircc.size.kb", decimal(lang, float64(n)/1024))
	}
	return i18n.In(lang, "ircc.size.mb", decimal(lang, float64(n)/(1024*1024)))
}

// decimal writes one decimal place, with a comma in French.
func decimal(lang string, f float64) string {
	s := fmt.Sprintf("%.1f", f)
	if lang == i18n.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
