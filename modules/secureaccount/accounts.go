package secureaccount

import (
	"context"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"guichet/app/i18n"
	"guichet/app/mail"
	"guichet/app/web"
	"guichet/modules/secureaccount/account"
)

// keyAccount is where requireAccount leaves the account for handlers.
const keyAccount = "secureaccount.account"

// current returns the account of the request's ircc Principal.
func (m *Module) current(c echo.Context) (account.Account, bool, error) {
	if a, ok := c.Get(keyAccount).(account.Account); ok {
		return a, true, nil
	}
	p, ok := m.identity.Principal(c.Request().Context(), Service)
	if !ok {
		return account.Account{}, false, nil
	}
	a, err := m.store.AccountByPairwise(c.Request().Context(), p.PairwiseID)
	if errors.Is(err, ErrNotFound) {
		return account.Account{}, false, nil
	}
	if err != nil {
		return account.Account{}, false, err
	}
	c.Set(keyAccount, a)
	return a, true, nil
}

// requireAccount lets through only a Principal that has enrolled; one that
// has not goes to the entry page, which shows the enrolment form.
func (m *Module) requireAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, ok, err := m.current(c)
		if err != nil {
			return err
		}
		if !ok {
			return web.Redirect(c, web.URL(c, "/ircc/"))
		}
		return next(c)
	}
}

// mustAccount is the account behind requireAccount.
func mustAccount(c echo.Context) account.Account {
	a, _ := c.Get(keyAccount).(account.Account)
	return a
}

// accounts is account.Accounts over the module.
type accounts struct{ m *Module }

func (a accounts) Current(c echo.Context) (account.Account, bool) {
	acc, ok, err := a.m.current(c)
	if err != nil {
		a.m.log.Error("secureaccount: current account", "err", err)
		return account.Account{}, false
	}
	return acc, ok
}

func (a accounts) Get(ctx context.Context, id int64) (account.Account, error) {
	return a.m.store.Get(ctx, id)
}

func (a accounts) EnsureUCI(ctx context.Context, tx *sqlx.Tx, accountID int64) (string, error) {
	return a.m.store.EnsureUCI(ctx, tx, accountID)
}

// mailbox is account.Mailbox: the letter, its document requests and an
// email saying only that a message is waiting.
type mailbox struct{ m *Module }

func (b mailbox) Post(ctx context.Context, tx *sqlx.Tx, accountID int64, l account.Letter) (int64, error) {
	acc, err := accountTx(ctx, tx, accountID)
	if err != nil {
		return 0, err
	}
	id, err := b.m.store.InsertLetter(ctx, tx, accountID, l)
	if err != nil {
		return 0, err
	}
	if err := b.m.notify(ctx, tx, acc); err != nil {
		return 0, err
	}
	return id, nil
}

// notify queues the "a message is waiting" email in the account's
// language. It never carries the letter: email is not a secure channel.
func (m *Module) notify(ctx context.Context, tx *sqlx.Tx, acc account.Account) error {
	lang := acc.Lang
	if !i18n.Valid(lang) {
		lang = i18n.EN
	}
	link := strings.TrimRight(m.baseURL, "/") + "/" + lang + "/ircc/messages"
	_, err := mail.Enqueue(ctx, tx, m.clock.Now(), m.mailDomain, mail.Message{
		To: acc.Email, Lang: lang,
		Subject: i18n.In(lang, "ircc.mail.subject"),
		Text:    i18n.In(lang, "ircc.mail.body", link) + "\n\n" + i18n.In(lang, "ircc.mail.footer"),
	})
	return err
}

// correspondence is account.Correspondence over the store.
type correspondence struct{ s *Store }

func (c correspondence) ForAccount(ctx context.Context, accountID int64) ([]account.MessageView, error) {
	return c.s.MessageViews(ctx, accountID)
}

func (c correspondence) MoveApplication(ctx context.Context, tx *sqlx.Tx, applicationID, from, to int64) error {
	return c.s.MoveApplication(ctx, tx, applicationID, from, to)
}
