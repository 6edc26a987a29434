package account

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// ServeDocument writes a stored document as a download. The staff console
// serves its downloads the same way.
func ServeDocument(c echo.Context, filename, contentType string, content []byte) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentDisposition, ContentDisposition(filename))
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set(echo.HeaderContentSecurityPolicy, "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(content)))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(content)
	}
}

// ContentDisposition names a download: always an attachment, the name
// encoded as RFC 5987 asks (with a plain ASCII fallback for old clients).
func ContentDisposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x80 && r >= 0x20 && r != '"' && r != '\\' && r != '%' && r != ';' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			enc.WriteByte('%')
			enc.WriteByte("0123456789ABCDEF"[b>>4])
			enc.WriteByte("0123456789ABCDEF"[b&15])
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar is RFC 5987's attr-char.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
