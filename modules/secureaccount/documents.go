package secureaccount

import (
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/web"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/views"
)

// documentsView lists the account's open requests and its uploads.
func (m *Module) documentsView(c echo.Context) (views.DocumentsView, error) {
	ctx := c.Request().Context()
	acc := mustAccount(c)
	var v views.DocumentsView
	open, err := m.store.OpenRequests(ctx, acc.ID)
	if err != nil {
		return v, err
	}
	for _, r := range open {
		v.Open = append(v.Open, m.requestField(c, r))
	}
	docs, err := m.store.Documents(ctx, acc.ID)
	if err != nil {
		return v, err
	}
	for _, d := range docs {
		v.Uploaded = append(v.Uploaded, m.documentLink(c, d))
	}
	return v, nil
}

// documentsList is the documents page.
func (m *Module) documentsList(c echo.Context) error {
	v, err := m.documentsView(c)
	if err != nil {
		return err
	}
	v.Done = c.QueryParam("uploaded") == "1"
	return web.Render(c, http.StatusOK, views.Documents(v))
}

// uploadSubmit stores a file against one of the account's open requests.
// Only where IRCC asked: any other request id is a 404.
func (m *Module) uploadSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	acc := mustAccount(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := m.store.RequestOf(ctx, acc.ID, id)
	if err != nil {
		return notFound(err)
	}
	if !r.Open() {
		// Sent twice (a double click): the first one counted.
		return web.Redirect(c, web.URL(c, "/ircc/documents"))
	}
	field := "file-" + strconv.FormatInt(r.ID, 10)
	u, key, err := readUpload(c, field)
	if err != nil {
		return err
	}
	if key != "" {
		v, err := m.documentsView(c)
		if err != nil {
			return err
		}
		v.Errs = views.Problems{uploadProblem(field, key)}
		return web.Render(c, http.StatusUnprocessableEntity, views.Documents(v))
	}
	err = m.db.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := m.store.AddDocument(ctx, tx, acc.ID, r.ID, 0, u)
		return err
	})
	if err != nil {
		return notFound(err)
	}
	return web.Redirect(c, web.URL(c, "/ircc/documents?uploaded=1"))
}

// download sends one of the account's documents back as an attachment
// that no browser will render or run: nosniff, a sandbox and no sources.
func (m *Module) download(c echo.Context) error {
	acc := mustAccount(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	d, content, err := m.store.OpenOwn(c.Request().Context(), acc.ID, id)
	if err != nil {
		return notFound(err)
	}
	account.ServeDocument(c, d.Filename, d.ContentType, content)
	return nil
}
