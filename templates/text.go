package templates

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"guichet/app/i18n"
)

// Msg writes the catalog message named by the key, in the page's
// language: @templates.Msg("ircc.messages.title"). It is the shorter way
// to write { i18n.T(ctx, key) } in an element's text, and it costs
// nothing per call: the message was escaped when the catalogs loaded, and
// templ calls Render on the value directly, so nothing is allocated
// (templ's { } boxes every value through fmt.Sprint). Messages with
// arguments, and attribute values, still use i18n.T.
type Msg string

// Render writes the message.
func (k Msg) Render(ctx context.Context, w io.Writer) error {
	_, err := io.WriteString(w, i18n.HTML(ctx, string(k)))
	return err
}

// Text writes a value as escaped text, like { s } without the
// allocations: for the cells of long tables on busy pages.
type Text string

// Render writes the text.
func (t Text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}
