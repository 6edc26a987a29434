package auth

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"guichet/app/i18n"
	"guichet/app/mail"
)

// post queues one email in tx, in lang, with the common footer. Messages
// the person asked for (codes, links) use the language of the request;
// notices they did not ask for (a lockout) use the credential's language.
func (m *Module) post(ctx context.Context, tx *sqlx.Tx, addr, lang, subject, body string) error {
	if !i18n.Valid(lang) {
		lang = i18n.EN
	}
	_, err := mail.Enqueue(ctx, tx, m.clock.Now(), m.domain, mail.Message{
		To: addr, Lang: lang, Subject: subject,
		Text: body + "\n\n" + i18n.In(lang, "auth.mail.footer"),
	})
	return err
}

// securityNotice tells the person about a change to their GCKey, with
// when it happened and what to do if it was not them.
func (m *Module) securityNotice(ctx context.Context, tx *sqlx.Tx, addr, lang, subject, what string) error {
	when := i18n.FormatDateTime(lang, m.clock.Now())
	body := strings.Join([]string{what, i18n.In(lang, "auth.mail.when", when), i18n.In(lang, "auth.mail.not_you")}, "\n\n")
	return m.post(ctx, tx, addr, lang, subject, body)
}
