package main

// The dashboard flow: GET /en/ircc/, the signed-in IRCC secure account
// dashboard, for accounts that each hold applications and letters. The
// accounts, their applications and letters and the signed-in sessions are
// made through the application's own code (modules.Build, identity's
// session calls, the cases and secure account services) while no server
// has the database open.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app"
	"guichet/app/clock"
	"guichet/app/identity"
	"guichet/app/mail"
	"guichet/app/session"
	"guichet/modules"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/account"
	"guichet/modules/secureaccount/expressentry"
)

// Targets of the dashboard flow.
const (
	dashboardMinRatio = 0.10
	dashboardMaxP99   = 50 * time.Millisecond
)

// dashboardPath is the page the flow reads.
const dashboardPath = "/en/ircc/"

// dashboardReport is the dashboard flow's part of the report.
type dashboardReport struct {
	Accounts     int     `json:"accounts"`
	Applications int     `json:"applications_per_account"`
	Messages     int     `json:"unread_messages_per_account"`
	SeedSeconds  float64 `json:"seed_seconds"`
	// MailDelivered are the "a message is waiting" emails the letters
	// queued, marked sent at seeding (through the app's deliverer with a
	// sender that sends nothing) so the mail job stays idle during the run.
	MailDelivered int `json:"seed_mail_marked_sent"`
	PageBytes     int `json:"page_bytes"`
}

// seedDashboard creates o.dashAccounts secure accounts in the database cfg
// names, which no server may have open, each with o.dashApps applications
// and o.dashMsgs unread letters, and a signed-in session holding the
// account's ircc Principal. It checks the counts in the database.
func seedDashboard(ctx context.Context, cfg app.Config, o options, lifetime time.Duration) ([]benchSession, *dashboardReport, error) {
	t0 := time.Now()
	k, err := app.OpenKernel(ctx, cfg, clock.Real{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	defer k.DB.Close()
	set, err := modules.Build(k)
	if err != nil {
		return nil, nil, err
	}
	store := session.NewStore(k.DB, clock.Real{})
	deadline := time.Now().Add(lifetime).UTC()
	letterKinds := []string{account.LetterProcedural, account.LetterDocumentRequest, account.LetterGeneral, account.LetterDecision}
	out := make([]benchSession, 0, o.dashAccounts)
	for i := range o.dashAccounts {
		ref, err := identity.NewRef(identity.KindGCKey)
		if err != nil {
			return nil, nil, err
		}
		values, p, err := signedInIRCC(ctx, k, ref)
		if err != nil {
			return nil, nil, fmt.Errorf("account %d: %w", i, err)
		}
		family := fmt.Sprintf("Dashboard%04d", i)
		var accountID int64
		err = k.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			id, err := set.Account.Store().Create(ctx, tx, account.Account{PairwiseID: p.PairwiseID,
				GivenName: "Bench", FamilyName: family, BirthDate: "1986-04-12",
				Email: strings.ToLower(family) + "@example.com", Lang: "en"})
			if err != nil {
				return err
			}
			accountID = id
			apps := make([]int64, 0, o.dashApps)
			for j := range o.dashApps {
				a := account.NewApplication{AccountID: id, Kind: account.KindPRExpressEntry, Program: expressentry.ProgramKey,
					GivenName: "Bench", FamilyName: family, BirthDate: "1986-04-12",
					Email: strings.ToLower(family) + "@example.com", Data: "{}"}
				if j%2 == 1 {
					// Paper applications linked to the account: a
					// program typed by staff, not a catalog key.
					a.Kind, a.Program = account.KindPaper, "Work permit (paper intake)"
				}
				appID, _, err := set.Cases.Applications().Submit(ctx, tx, a)
				if err != nil {
					return fmt.Errorf("application %d: %w", j, err)
				}
				apps = append(apps, appID)
			}
			for j := range o.dashMsgs {
				l := account.Letter{Kind: letterKinds[j%len(letterKinds)],
					Subject: fmt.Sprintf("Letter %d about your file", j+1),
					Body:    "This letter was written by the load benchmark.\n\nIt has two paragraphs."}
				if len(apps) > 0 {
					l.ApplicationID = apps[j%len(apps)]
				}
				if _, err := set.Account.Mailbox().Post(ctx, tx, id, l); err != nil {
					return fmt.Errorf("letter %d: %w", j, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("account %d: %w", i, err)
		}
		if err := checkAccountRows(ctx, k, accountID, o.dashApps, o.dashMsgs); err != nil {
			return nil, nil, fmt.Errorf("account %d: %w", i, err)
		}
		token, err := newToken()
		if err != nil {
			return nil, nil, err
		}
		if err := insertSession(ctx, store, token, string(ref), values, deadline); err != nil {
			return nil, nil, fmt.Errorf("session of account %d: %w", i, err)
		}
		out = append(out, benchSession{Token: token, Cred: string(ref)})
	}
	delivered, err := drainMail(ctx, k)
	if err != nil {
		return nil, nil, err
	}
	return out, &dashboardReport{Accounts: len(out), Applications: o.dashApps, Messages: o.dashMsgs,
		SeedSeconds: time.Since(t0).Seconds(), MailDelivered: delivered}, nil
}

// signedInIRCC is the session data of a GCKey sign-in completed with the
// authenticator app and handed to the secure account, made by identity's
// own calls (PasswordVerified, SecondFactorVerified, Issue) on a new
// session, so the keys and values are the ones the server writes. Issue
// mints the credential's pairwise id at ircc.
func signedInIRCC(ctx context.Context, k *app.Kernel, ref identity.Ref) (map[string]any, identity.Principal, error) {
	sctx, err := k.Sessions.Load(ctx, "")
	if err != nil {
		return nil, identity.Principal{}, err
	}
	if err := k.Identity.PasswordVerified(sctx, ref); err != nil {
		return nil, identity.Principal{}, err
	}
	if err := k.Identity.SecondFactorVerified(sctx, k.Clock.Now(), identity.FactorApp); err != nil {
		return nil, identity.Principal{}, err
	}
	p, err := k.Identity.Issue(sctx, secureaccount.Service)
	if err != nil {
		return nil, identity.Principal{}, err
	}
	values := map[string]any{}
	for _, key := range k.Sessions.Keys(sctx) {
		values[key] = k.Sessions.Get(sctx, key)
	}
	return values, p, nil
}

// checkAccountRows checks that the account holds exactly apps
// applications and msgs letters, all unread.
func checkAccountRows(ctx context.Context, k *app.Kernel, id int64, apps, msgs int) error {
	var nApps, nMsgs, nUnread int
	if err := k.DB.R.GetContext(ctx, &nApps, k.DB.Rebind(`SELECT COUNT(*) FROM ircc_applications WHERE account_id = ?`), id); err != nil {
		return err
	}
	if err := k.DB.R.GetContext(ctx, &nMsgs, k.DB.Rebind(`SELECT COUNT(*) FROM ircc_messages WHERE account_id = ?`), id); err != nil {
		return err
	}
	if err := k.DB.R.GetContext(ctx, &nUnread, k.DB.Rebind(`SELECT COUNT(*) FROM ircc_messages WHERE account_id = ? AND read_at IS NULL`), id); err != nil {
		return err
	}
	if nApps != apps || nMsgs != msgs || nUnread != msgs {
		return fmt.Errorf("%d applications, %d messages (%d unread) in the database, want %d, %d (%d)", nApps, nMsgs, nUnread, apps, msgs, msgs)
	}
	return nil
}

// drainMail marks the queued emails sent through the app's deliverer with
// a sender that sends nothing, so the server's mail job has nothing to do
// during the run. It returns how many there were.
func drainMail(ctx context.Context, k *app.Kernel) (int, error) {
	k.Mailer.Sender = mail.DevSender{}
	k.Mailer.Batch = 1000
	total := 0
	for range 10000 {
		var n int
		if err := k.DB.R.GetContext(ctx, &n, `SELECT COUNT(*) FROM app_outbox WHERE status = 'pending'`); err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		if err := k.Mailer.RunOnce(ctx); err != nil {
			return total, fmt.Errorf("mail: %w", err)
		}
		var left int
		if err := k.DB.R.GetContext(ctx, &left, `SELECT COUNT(*) FROM app_outbox WHERE status = 'pending'`); err != nil {
			return total, err
		}
		if left >= n {
			return total, fmt.Errorf("mail: %d emails still pending after a delivery run", left)
		}
		total += n - left
	}
	return total, errors.New("mail: the outbox did not empty")
}

// verifyDashboard checks, before any load, that /en/ircc/ without a
// session is not the dashboard, and that each seeded session gets the
// dashboard with its applications and unread count; it returns the Cookie
// headers a browser would send (session plus the CSRF cookie the first
// page sets) and the size of a page.
func verifyDashboard(ctx context.Context, base string, sessions []benchSession, apps, msgs int) ([]string, int, error) {
	resp, body, err := get(ctx, base+dashboardPath, "")
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(body, `data-testid="dashboard"`) {
		return nil, 0, errors.New("GET " + dashboardPath + " without a session shows the dashboard; the check would prove nothing")
	}
	cookies := make([]string, 0, len(sessions))
	size := 0
	for i, s := range sessions {
		first := "guichet_session=" + s.Token
		resp, body, err := get(ctx, base+dashboardPath, first)
		if err != nil {
			return nil, 0, err
		}
		if err := isDashboard(resp, body, apps, msgs); err != nil {
			return nil, 0, fmt.Errorf("dashboard session %d: %w", i, err)
		}
		for _, ck := range resp.Cookies() {
			switch ck.Name {
			case "guichet_csrf":
				sessions[i].CSRF = ck.Value
			case "guichet_session":
				return nil, 0, fmt.Errorf("dashboard session %d: a GET reissued the session cookie", i)
			}
		}
		c := first
		if sessions[i].CSRF != "" {
			c += "; guichet_csrf=" + sessions[i].CSRF
		}
		resp, body, err = get(ctx, base+dashboardPath, c)
		if err != nil {
			return nil, 0, err
		}
		if err := isDashboard(resp, body, apps, msgs); err != nil {
			return nil, 0, fmt.Errorf("dashboard session %d, second page: %w", i, err)
		}
		if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
			return nil, 0, fmt.Errorf("dashboard session %d, second page: unexpected Set-Cookie %q", i, sc)
		}
		cookies = append(cookies, c)
		size = len(body)
	}
	return cookies, size, nil
}

func checkDashboard(ctx context.Context, base, cookie string, apps, msgs int) error {
	resp, body, err := get(ctx, base+dashboardPath, cookie)
	if err != nil {
		return err
	}
	return isDashboard(resp, body, apps, msgs)
}

// isDashboard tells whether an answer is the signed-in dashboard listing
// apps applications and msgs unread messages.
func isDashboard(resp *http.Response, body string, apps, msgs int) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d (Location %q), want 200", dashboardPath, resp.StatusCode, resp.Header.Get("Location"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		return fmt.Errorf("GET %s: Cache-Control %q, want no-store", dashboardPath, cc)
	}
	if !strings.Contains(body, `data-testid="dashboard"`) {
		return fmt.Errorf(`GET %s: no data-testid="dashboard": not the dashboard`, dashboardPath)
	}
	rows := 0
	if table, ok := between(body, `data-testid="applications"`, `</table>`); ok {
		rows = strings.Count(table, `<th scope="row">`)
	}
	if rows != apps {
		return fmt.Errorf("GET %s: %d applications listed, want %d", dashboardPath, rows, apps)
	}
	unread, ok := between(body, `data-testid="unread"`, `</p>`)
	if !ok {
		return fmt.Errorf(`GET %s: no data-testid="unread"`, dashboardPath)
	}
	if msgs > 1 && !strings.Contains(unread, " "+strconv.Itoa(msgs)+" ") {
		return fmt.Errorf("GET %s: the unread count does not say %d: %q", dashboardPath, msgs, strings.TrimSpace(unread))
	}
	return nil
}

// between is the text of s after the first from and before the next to.
func between(s, from, to string) (string, bool) {
	i := strings.Index(s, from)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(from):]
	j := strings.Index(rest, to)
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

func printDashboard(w io.Writer, d *dashboardReport) {
	fmt.Fprintf(w, "dashboard: %d IRCC accounts, each with %d applications and %d unread messages, seeded in %.1f s (%d notification emails marked sent); page %d bytes\n",
		d.Accounts, d.Applications, d.Messages, d.SeedSeconds, d.MailDelivered, d.PageBytes)
}
