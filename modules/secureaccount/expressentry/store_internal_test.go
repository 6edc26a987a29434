package expressentry

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/apptest"
	"guichet/modules/secureaccount/crs"
)

// Two tabs on one draft: each writes the whole answers back, so a write
// made from answers read before the other tab's save must not land.
func TestDraftWritesLandOnlyOnTheAnswersTheyRead(t *testing.T) {
	d := apptest.OpenDB(t)
	s := NewStore(d)
	ctx := t.Context()
	now := apptest.Start
	var id int64
	if err := d.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = s.createDraft(ctx, tx, 1, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	read, err := s.profile(ctx, d.R, 1, id)
	if err != nil {
		t.Fatal(err)
	}

	// Tab A saves step 4; tab B, which read the draft before, then tries
	// to save step 6 over the answers it read.
	var a Answers
	a.Work.NOC = "21232"
	a.markSaved(stepWork)
	if ok, err := s.saveDraft(ctx, 1, id, read.Answers, a, now); err != nil || !ok {
		t.Fatalf("first save: %v %v", ok, err)
	}
	var b Answers
	b.Additional.Sibling = "no"
	b.markSaved(stepAdditional)
	if ok, err := s.saveDraft(ctx, 1, id, read.Answers, b, now); err != nil || ok {
		t.Fatalf("a save over stale answers landed: %v %v", ok, err)
	}
	fresh, err := s.profile(ctx, d.R, 1, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fresh.answers(); got.Work.NOC != "21232" {
		t.Fatalf("tab A's step was lost: %+v", got)
	}
	// Another account's draft is never written.
	if ok, _ := s.saveDraft(ctx, 2, id, fresh.Answers, b, now); ok {
		t.Fatal("another account saved the draft")
	}

	// Submitting scores the answers read; it does not land once they
	// changed, nor twice.
	sub := submission{Number: "E0000000001", JSVC: "ABCDEFGHJKMN", UCI: "1000000001", Answers: a,
		Profile:     crs.Profile{Age: 30, First: crs.English, English: &crs.Levels{Reading: 9, Writing: 9, Listening: 9, Speaking: 9}},
		AnswersJSON: read.Answers, At: now, Expires: now.Add(time.Hour)}
	submit := func() bool {
		t.Helper()
		var ok bool
		if err := d.Tx(ctx, func(tx *sqlx.Tx) error {
			ok, err = s.submit(ctx, tx, 1, id, sub)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if submit() {
		t.Fatal("a submission of answers changed meanwhile landed")
	}
	sub.AnswersJSON = fresh.Answers
	if !submit() {
		t.Fatal("the submission of the current answers did not land")
	}
	sub.Number = "E0000000002"
	if submit() {
		t.Fatal("a profile was submitted twice")
	}
}
