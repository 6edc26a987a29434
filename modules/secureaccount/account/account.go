// Package account is the shared vocabulary of the IRCC secure account: the
// account a Principal reaches, the letters IRCC writes, applications and
// the document requests that allow uploads. The parts of the secure
// account (the account itself and correspondence, applications and the
// staff console, Express Entry) each implement some of the interfaces
// here and use the others, so none of them imports another; the module's
// wiring (modules/secureaccount) connects them.
package account

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
)

// Account is a person's secure account. It is keyed by the pairwise id of
// the Principal that created it, and nothing else links it to a person's
// credential.
type Account struct {
	ID         int64
	PairwiseID string
	GivenName  string
	FamilyName string
	// BirthDate is YYYY-MM-DD.
	BirthDate string
	// Email is where IRCC writes (never the message itself, only that one
	// is waiting).
	Email string
	// Lang is the language of the person's letters and emails.
	Lang string
	// UCI is the Unique Client Identifier, 10 digits, empty until a first
	// profile or application is submitted.
	UCI string
}

// Accounts finds the signed-in person's account.
type Accounts interface {
	// Current returns the account of the request's ircc Principal, false
	// when the person has not enrolled yet.
	Current(c echo.Context) (Account, bool)
	// Get returns an account by id.
	Get(ctx context.Context, id int64) (Account, error)
	// EnsureUCI gives the account a UCI if it has none, inside tx, and
	// returns it.
	EnsureUCI(ctx context.Context, tx *sqlx.Tx, accountID int64) (string, error)
}

// Letter kinds: what a message from IRCC is about.
const (
	LetterInvitation      = "invitation"       // invitation to apply (Express Entry)
	LetterDocumentRequest = "document_request" // IRCC asks for documents
	LetterProcedural      = "procedural"       // procedural letter
	LetterDecision        = "decision"         // decision on an application
	LetterInterest        = "interest"         // notification of interest (PT portal)
	LetterNomination      = "nomination"       // nomination (PT portal)
	LetterGeneral         = "general"          // anything else staff write
)

// Letter is a message IRCC posts to an account.
type Letter struct {
	Kind string
	// Subject and Body are written in the account's language.
	Subject string
	Body    string
	// NeedsReply lets the person answer it (text, and files when
	// DocumentLabels is not empty).
	NeedsReply bool
	// ApplicationID links the letter to an application (0: none).
	ApplicationID int64
	// DocumentLabels, when not empty, asks for these documents: each
	// becomes a document request the person can upload against.
	DocumentLabels []string
	// StaffID is the staff member who wrote it (0: the system).
	StaffID int64
}

// Mailbox posts letters. Posting queues an email telling the person a
// message is waiting (never its content), in the same transaction.
type Mailbox interface {
	Post(ctx context.Context, tx *sqlx.Tx, accountID int64, l Letter) (messageID int64, err error)
}

// Application statuses.
const (
	StatusSubmitted          = "submitted"
	StatusInProgress         = "in_progress"
	StatusDocumentsRequested = "documents_requested"
	StatusApproved           = "approved" // decision made: approved
	StatusRefused            = "refused"  // decision made: refused
)

// Application kinds.
const (
	KindPRExpressEntry = "pr_express_entry" // application for permanent residence after an invitation
	KindPaper          = "paper"            // entered by staff from paper intake
)

// NewApplication is an application being submitted online or recorded
// from paper.
type NewApplication struct {
	// AccountID is 0 for a paper application not (yet) linked to an
	// account.
	AccountID int64
	Kind      string
	// Program names what is applied for, as a catalog key or free text
	// for paper intake.
	Program    string
	GivenName  string
	FamilyName string
	BirthDate  string
	Email      string
	// Data is the form's answers as JSON (kept for staff to read).
	Data string
	// InvitationID links an Express Entry application to its invitation.
	InvitationID int64
	// StaffID records who entered a paper application (0 online).
	StaffID int64
	// DocumentLabels are the checklist's documents, requested at once.
	DocumentLabels []string
}

// Applications submits applications.
type Applications interface {
	// Submit records an application with status submitted and returns its
	// id and number, inside tx.
	Submit(ctx context.Context, tx *sqlx.Tx, a NewApplication) (id int64, number string, err error)
}

// ProfileSummary is an Express Entry profile as the dashboard lists it.
type ProfileSummary struct {
	ID     int64
	Number string // empty for a draft
	Status string
	// StatusKey is the catalog key naming the status, from the part that
	// owns the profile, so every page words it the same way.
	StatusKey string
	Score     int
	// Updated is the last change; Expires is when it leaves the pool.
	Updated time.Time
	Expires time.Time
	Href    string // the profile's page, after the language prefix
}

// Profiles lists an account's Express Entry profiles and invitations for
// its dashboard.
type Profiles interface {
	ForAccount(ctx context.Context, accountID int64) ([]ProfileSummary, error)
}

// ApplicationSummary is an application as the dashboard lists it.
type ApplicationSummary struct {
	ID      int64
	Number  string
	Program string
	Status  string
	// Submitted is when IRCC received it; Updated its last status change.
	Submitted time.Time
	Updated   time.Time
	Href      string // the application's page, after the language prefix
}

// ApplicationList is what the account's own pages need of its
// applications.
type ApplicationList interface {
	// ForAccount lists an account's applications for its dashboard.
	ForAccount(ctx context.Context, accountID int64) ([]ApplicationSummary, error)
	// SetEmail makes email the address on each of the account's
	// applications still waiting for a decision, inside tx: IRCC writes
	// about an application there, including the Permanent Residence
	// portal's invitation after an approval. It returns how many changed.
	SetEmail(ctx context.Context, tx *sqlx.Tx, accountID int64, email string) (int64, error)
}

// Document is an uploaded file's description (its bytes come from Open).
type Document struct {
	ID            int64
	AccountID     int64
	ApplicationID int64
	RequestLabel  string
	Filename      string
	ContentType   string
	Size          int64
	Uploaded      time.Time
}

// Documents lets staff see and download what was uploaded.
type Documents interface {
	ForApplication(ctx context.Context, applicationID int64) ([]Document, error)
	ForAccount(ctx context.Context, accountID int64) ([]Document, error)
	// Open returns a document and its bytes.
	Open(ctx context.Context, id int64) (Document, []byte, error)
}

// MessageView is a letter and the person's replies, for the staff console.
type MessageView struct {
	ID            int64
	Kind          string
	Subject       string
	Body          string
	ApplicationID int64
	Sent          time.Time
	Read          bool
	Replies       []Reply
}

// Reply is the person's answer to a letter.
type Reply struct {
	ID        int64
	Body      string
	Sent      time.Time
	Documents []Document
}

// Correspondence reads an account's letters and replies (staff side) and
// moves an application's letters with it when it is linked elsewhere.
type Correspondence interface {
	ForAccount(ctx context.Context, accountID int64) ([]MessageView, error)
	// MoveApplication moves the application's letters, document requests
	// and documents from one account to another, inside tx.
	MoveApplication(ctx context.Context, tx *sqlx.Tx, applicationID, from, to int64) error
}
