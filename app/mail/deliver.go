package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
	"unicode/utf8"

	"guichet/app/clock"
	"guichet/db"
)

// Defaults for the Deliverer's zero fields.
const (
	DefaultMaxAttempts = 8
	DefaultBatch       = 50

	backoffBase = 30 * time.Second
	backoffCap  = time.Hour

	// maxErrorLen keeps a verbose server reply from bloating the row.
	maxErrorLen = 500

	// bookkeepingTimeout bounds the status update after a send. It runs even
	// when the job is being stopped: losing it would resend an accepted message.
	bookkeepingTimeout = 5 * time.Second
)

const (
	selectDue = `SELECT id, message_id, to_addr, subject, body_text, lang, status, attempts,
	next_attempt_at, last_error, created_at, sent_at
	FROM app_outbox
	WHERE status = 'pending' AND next_attempt_at <= ?
	ORDER BY id
	LIMIT ?`

	markSent = `UPDATE app_outbox
	SET status = 'sent', sent_at = ?, last_error = ''
	WHERE id = ? AND status = 'pending'`

	// attempts = ? makes the update lose to anything that touched the row
	// since it was read (an operator, another runner), rather than overwrite it.
	markAttemptFailed = `UPDATE app_outbox
	SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?
	WHERE id = ? AND status = 'pending' AND attempts = ?`
)

// Deliverer sends due outbox messages. Its RunOnce is the mail job given to
// the job runner.
type Deliverer struct {
	DB     *db.DB
	Clock  clock.Clock  // clock.Real{} when nil
	Sender Sender       // required
	Log    *slog.Logger // slog.Default() when nil
	// MaxAttempts is the number of failed sends after which a message is
	// parked as failed (DefaultMaxAttempts when zero).
	MaxAttempts int
	// Backoff is the wait after the attempt-th failure (DefaultBackoff when nil).
	Backoff func(attempt int) time.Duration
	// Batch caps the messages sent per run (DefaultBatch when zero), so one run
	// after a long outage stays short and shutdown stays prompt.
	Batch int
}

// DefaultBackoff waits 30s after the first failure, doubling each time up to
// an hour, plus up to 10% jitter so messages queued together during an
// outage do not all hit the recovering server in the same second.
func DefaultBackoff(attempt int) time.Duration {
	d := backoffBase
	for i := 1; i < attempt && d < backoffCap; i++ {
		d *= 2
	}
	d = min(d, backoffCap)
	return d + rand.N(d/10+1)
}

// RunOnce sends every due pending message, up to Batch. A send failure is not
// an error of the run: it is recorded on the message and retried later. The
// returned error reports database trouble or cancellation.
func (d *Deliverer) RunOnce(ctx context.Context) error {
	if d.Sender == nil {
		return errors.New("mail deliverer: no sender configured")
	}
	batch := d.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	var due []Record
	err := d.DB.R.SelectContext(ctx, &due, d.DB.Rebind(selectDue), d.now(), batch)
	if err != nil {
		return fmt.Errorf("select due mail: %w", err)
	}
	var errs []error
	for _, r := range due {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if err := d.deliver(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (d *Deliverer) deliver(ctx context.Context, r Record) error {
	log := d.logger().With("outbox_id", r.ID, "message_id", r.MessageID)
	sendErr := d.Sender.Send(ctx, Outgoing{
		MessageID: r.MessageID,
		To:        r.ToAddr,
		Subject:   r.Subject,
		Text:      r.BodyText,
		Lang:      r.Lang,
		Date:      r.CreatedAt,
	})
	if sendErr != nil && ctx.Err() != nil {
		// Interrupted by shutdown, not refused by the server: not an attempt.
		return ctx.Err()
	}

	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	now := d.now()

	if sendErr == nil {
		res, err := d.DB.W.ExecContext(bctx, d.DB.Rebind(markSent), now, r.ID)
		if err != nil {
			// The server has the message but the row still says pending: it
			// will be sent again with the same Message-ID, which receivers
			// can recognise as a duplicate.
			return fmt.Errorf("mark mail %d sent: %w", r.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			log.Warn("mail sent but its outbox row had changed meanwhile")
		} else {
			log.Info("mail sent", "attempt", r.Attempts+1)
		}
		return nil
	}

	attempts := r.Attempts + 1
	status := StatusPending
	if attempts >= d.maxAttempts() {
		status = StatusFailed
	}
	next := now.Add(d.backoff(attempts))
	res, err := d.DB.W.ExecContext(bctx, d.DB.Rebind(markAttemptFailed),
		status, attempts, truncate(sendErr.Error(), maxErrorLen), next, r.ID, r.Attempts)
	if err != nil {
		return fmt.Errorf("record mail %d failure: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		log.Warn("mail send failed and its outbox row had changed meanwhile", "err", sendErr)
		return nil
	}
	if status == StatusFailed {
		// Logged at error level because nothing will retry it: an operator
		// has to look at ListFailed and requeue.
		log.Error("mail parked as failed after its last attempt", "attempts", attempts, "err", sendErr)
	} else {
		log.Warn("mail send failed; will retry", "attempts", attempts, "next_attempt_at", next, "err", sendErr)
	}
	return nil
}

func (d *Deliverer) now() time.Time {
	if d.Clock == nil {
		return time.Now().UTC()
	}
	return d.Clock.Now().UTC()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return d.MaxAttempts
}

func (d *Deliverer) backoff(attempt int) time.Duration {
	if d.Backoff == nil {
		return DefaultBackoff(attempt)
	}
	return d.Backoff(attempt)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
