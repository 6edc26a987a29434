package recovery

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/web"
	"guichet/modules/recovery/views"
)

// Where "I have saved my codes" leads. Only known values pass, never a URL.
const thenManage = "manage"

func thenOf(v string) string {
	if v == thenManage {
		return v
	}
	return ""
}

// codesShow shows a new set the first time it is asked for; later views
// show nothing secret, only the download while it lasts.
func (m *Module) codesShow(c echo.Context) error {
	s, _, done, err := m.level2(c)
	if done {
		return err
	}
	ctx := c.Request().Context()
	lang := web.Lang(c)
	now := m.clock.Now()
	since := now.Add(-ShowFor)
	v := views.CodesView{
		Download: web.URL(c, codesPath+".txt"), SaveAction: web.URL(c, codesPath),
		Then: thenOf(c.QueryParam("then")), Manage: web.URL(c, base+"/"),
	}
	first, err := m.store.MarkViewed(ctx, s.Kind, s.ID, now, since)
	if err != nil {
		return err
	}
	sh, ok, err := m.store.GetShown(ctx, s.Kind, s.ID, since)
	if err != nil {
		return err
	}
	if ok {
		v.Until = i18n.FormatTime(lang, sh.CreatedAt.Add(ShowFor))
		if first {
			if v.Codes, err = m.open(s, sh); err != nil {
				return err
			}
		}
	} else if err := m.store.DeleteShownOf(ctx, s.Kind, s.ID, since); err != nil {
		// A copy too old to show is deleted now rather than at the next
		// cleanup.
		return err
	}
	return web.Render(c, http.StatusOK, views.Codes(v))
}

func (m *Module) open(s subject, sh Shown) ([]string, error) {
	pt, err := m.keys.Open(sh.Sealed, sealAD(s.Kind, s.ID))
	if err != nil {
		return nil, fmt.Errorf("recovery: open new set: %w", err)
	}
	return strings.Split(string(pt), "\n"), nil
}

// codesDownload serves the new set as a text file while it can still be
// read.
func (m *Module) codesDownload(c echo.Context) error {
	s, _, done, err := m.level2(c)
	if done {
		return err
	}
	ctx := c.Request().Context()
	sh, ok, err := m.store.GetShown(ctx, s.Kind, s.ID, m.clock.Now().Add(-ShowFor))
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(c, web.URL(c, codesPath))
	}
	set, err := m.open(s, sh)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	var b strings.Builder
	b.WriteString(i18n.In(lang, "recovery.file_title") + "\r\n")
	b.WriteString(i18n.In(lang, "recovery.file_created", i18n.FormatDateTime(lang, sh.CreatedAt)) + "\r\n\r\n")
	b.WriteString(i18n.In(lang, "recovery.file_use") + "\r\n")
	b.WriteString(i18n.In(lang, "recovery.file_keep") + "\r\n\r\n")
	for i, code := range set {
		fmt.Fprintf(&b, "%2d. %s\r\n", i+1, code)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+i18n.In(lang, "recovery.file_name")+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// codesSaved forgets the readable copy: from now on only the hashes remain.
func (m *Module) codesSaved(c echo.Context) error {
	s, _, done, err := m.level2(c)
	if done {
		return err
	}
	if err := m.store.DeleteShown(c.Request().Context(), s.Kind, s.ID); err != nil {
		return err
	}
	if thenOf(c.FormValue("then")) == thenManage {
		return web.Redirect(c, web.URL(c, base+"/"))
	}
	return web.Redirect(c, web.URL(c, twoFactorDone))
}
