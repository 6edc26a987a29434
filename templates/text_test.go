package templates_test

import (
	"bytes"
	"context"
	"testing"

	"guichet/app/i18n"
	"guichet/templates"
)

// Msg and Text write what { i18n.T(ctx, key) } and { s } write.
func TestMsgAndTextWriteEscapedText(t *testing.T) {
	for _, lang := range i18n.Langs {
		ctx := i18n.WithLang(context.Background(), lang)
		var b bytes.Buffer
		if err := templates.Msg("service.sign_out").Render(ctx, &b); err != nil || b.String() != i18n.T(ctx, "service.sign_out") {
			t.Errorf("%s: Msg wrote %q (%v)", lang, b.String(), err)
		}
	}
	var b bytes.Buffer
	if err := templates.Text(`<b>"L'été" & co</b>`).Render(context.Background(), &b); err != nil ||
		b.String() != "&lt;b&gt;&#34;L&#39;été&#34; &amp; co&lt;/b&gt;" {
		t.Errorf("Text wrote %q (%v)", b.String(), err)
	}
}

// Writing a message or a value allocates nothing: they are on every line
// of the busiest pages.
func TestMsgAndTextDoNotAllocate(t *testing.T) {
	ctx := i18n.WithLang(context.Background(), i18n.FR)
	var b bytes.Buffer
	b.Grow(1 << 16)
	value := "P123456789"
	n := testing.AllocsPerRun(100, func() {
		_ = templates.Msg("service.sign_out").Render(ctx, &b)
		_ = templates.Text(value).Render(ctx, &b)
	})
	if n != 0 {
		t.Errorf("%v allocations per message and value", n)
	}
}
