package site

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/app/web"
	"guichet/modules/site/views"
)

const outboxPageSize = 100

func (m *Module) outboxList(c echo.Context) error {
	recs, err := mail.List(c.Request().Context(), m.db, outboxPageSize)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	v := views.OutboxView{}
	for _, r := range recs {
		v.Rows = append(v.Rows, views.OutboxRow{
			Href:    "/" + lang + "/dev/outbox/" + strconv.FormatInt(r.ID, 10),
			To:      r.ToAddr,
			Subject: r.Subject,
			Status:  i18n.In(lang, "outbox.status_"+r.Status),
			Created: i18n.FormatDateTime(lang, r.CreatedAt),
		})
	}
	return web.Render(c, http.StatusOK, views.Outbox(v))
}

func (m *Module) outboxShow(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	r, err := mail.Get(c.Request().Context(), m.db, id)
	if errors.Is(err, mail.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	return web.Render(c, http.StatusOK, views.OutboxMessage(views.MessageView{
		To: r.ToAddr, Subject: r.Subject, MessageID: r.MessageID,
		Status:  i18n.In(lang, "outbox.status_"+r.Status),
		Created: i18n.FormatDateTime(lang, r.CreatedAt),
		Body:    views.Linkify(r.BodyText),
	}))
}
