// Package views holds the Express Entry pages: the profile's steps, its
// review and confirmation, the invitation, the application for permanent
// residence and the staff's rounds. View models are shaped like the
// screens; errors carry catalog keys and are translated only when shown.
//
// The step forms (PersonalForm and the others) hold what the person typed,
// as typed, so a page can show it again; the profile's draft is made of
// them.
package views

import (
	"context"
	"strings"

	"guichet/app/i18n"
	"guichet/app/page"
	"guichet/templates"
)

// Problem and Problems are the shared form errors (templates.Problems).
type (
	Problem  = templates.Problem
	Problems = templates.Problems
	// Named is a message argument that is a catalog key (an ability, a step).
	Named = templates.Named
)

// Option is one choice of a radio group, a select or a checkbox group.
type Option struct {
	Value string
	Key   string
}

// PersonalForm is step 1: date of birth and marital status.
type PersonalForm struct {
	BirthDate string `json:"birth_date"`
	Marital   string `json:"marital"`
	// SpouseCitizen: is the spouse or partner a Canadian citizen or
	// permanent resident (yes/no); SpouseComing: are they coming to
	// Canada (yes/no, asked only when they are not).
	SpouseCitizen string `json:"spouse_citizen"`
	SpouseComing  string `json:"spouse_coming"`
}

// TestForm is one language test result.
type TestForm struct {
	Test      string `json:"test"`
	Reading   string `json:"reading"`
	Writing   string `json:"writing"`
	Listening string `json:"listening"`
	Speaking  string `json:"speaking"`
	Date      string `json:"date"`
}

// LanguageForm is step 2: the first official language test and an
// optional second one.
type LanguageForm struct {
	First     TestForm `json:"first"`
	HasSecond string   `json:"has_second"`
	Second    TestForm `json:"second"`
}

// EducationForm is step 3.
type EducationForm struct {
	Level string `json:"level"`
	// Canadian is the length of a Canadian post-secondary credential:
	// none, one_two or three_plus.
	Canadian string `json:"canadian"`
	// Foreign: was the highest credential earned outside Canada (yes/no).
	Foreign string `json:"foreign"`
	ECAOrg  string `json:"eca_org"`
	ECADate string `json:"eca_date"`
}

// WorkForm is step 4.
type WorkForm struct {
	CanadianYears string `json:"canadian_years"`
	ForeignYears  string `json:"foreign_years"`
	NOC           string `json:"noc"`
	TEER          string `json:"teer"`
}

// SpouseForm is step 5, only when the spouse or partner counts.
type SpouseForm struct {
	Education     string   `json:"education"`
	HasTest       string   `json:"has_test"`
	Test          TestForm `json:"test"`
	CanadianYears string   `json:"canadian_years"`
}

// AdditionalForm is step 6: siblings in Canada and a certificate of
// qualification.
type AdditionalForm struct {
	Sibling     string `json:"sibling"`
	Certificate string `json:"certificate"`
}

// ProvincesForm is step 7: the provinces and territories of interest.
type ProvincesForm struct {
	Provinces []string `json:"provinces"`
}

// Checked tells whether a province is chosen.
func (f ProvincesForm) Checked(code string) bool {
	for _, p := range f.Provinces {
		if p == code {
			return true
		}
	}
	return false
}

// StepLink is one step in the list of steps beside a step's form.
type StepLink struct {
	N        int
	TitleKey string
	Href     string
	Current  bool
	Done     bool
	// Skipped steps do not apply (the spouse step without a spouse who
	// counts).
	Skipped bool
}

// StepView is one step of the profile form. Only the step's own form is
// used.
type StepView struct {
	ID       int64
	N        int
	Total    int
	TitleKey string
	Action   string
	Steps    []StepLink
	Errs     Problems
	// Saved says the previous step was just saved.
	Saved bool
	// Return goes back to the review page after saving.
	Return bool

	Personal   PersonalForm
	Language   LanguageForm
	Education  EducationForm
	Work       WorkForm
	Spouse     SpouseForm
	Additional AdditionalForm
	Provinces  ProvincesForm

	// Options of the lists, built once by the handler.
	Marital, Tests, Levels, Canadian, ECAOrgs, CanadianYears, ForeignYears, TEERs, SpouseYears, Jurisdictions []Option
}

// ProfileRow is one profile in the list.
type ProfileRow struct {
	Href      string
	Number    string
	StatusKey string
	Score     string
	Updated   string
	Expires   string
}

// ListView is the Express Entry home: the person's profiles.
type ListView struct {
	Rows     []ProfileRow
	CanStart bool
	// Active is the profile in progress or in the pool, when there is one.
	Active string
}

// ReviewRow is one answer on the review page: a label and either a value
// as is or a value's catalog key.
type ReviewRow struct {
	LabelKey string
	Value    string
	ValueKey string
}

// ReviewSection is one step's answers.
type ReviewSection struct {
	N        int
	TitleKey string
	Change   string
	Rows     []ReviewRow
	// Missing: the step is not done or is no longer valid.
	Missing bool
	Skipped bool
}

// BreakdownRow is one line of a score's breakdown.
type BreakdownRow struct {
	Key    string
	Points int
	// Total rows close a section.
	Total bool
}

// BreakdownSection is one of the grid's four sections.
type BreakdownSection struct {
	TitleKey string
	Rows     []BreakdownRow
}

// Breakdown is a CRS score factor by factor.
type Breakdown struct {
	Sections []BreakdownSection
	Total    int
}

// ReviewView shows every answer and the score they give.
type ReviewView struct {
	ID       int64
	Sections []ReviewSection
	Score    *Breakdown
	Errs     Problems
	Action   string
}

// InvitationView is an invitation to apply on the profile page.
type InvitationView struct {
	StatusKey   string
	Open        bool
	Invited     string
	RespondBy   string
	Score       int
	Checklist   []string
	ApplyHref   string
	DeclineHref string
	Application string
}

// ProfileView is a profile's page, and the confirmation after submitting.
type ProfileView struct {
	ID           int64
	Confirmation bool
	StatusKey    string
	Draft        bool
	Number       string
	JSVC         string
	UCI          string
	Submitted    string
	Expires      string
	Score        *Breakdown
	Nominated    string
	ContinueHref string
	ReviewHref   string
	Invitations  []InvitationView
	// DeclinedKey (the notice's catalog key) and Applied (the
	// application number) confirm what was just done.
	DeclinedKey string
	Applied     string
}

// DeclineView confirms declining an invitation.
type DeclineView struct {
	ID        int64
	Action    string
	Back      string
	RespondBy string
}

// ApplyForm is the application for permanent residence.
type ApplyForm struct {
	GivenName     string
	FamilyName    string
	BirthDate     string
	Email         string
	Street        string
	City          string
	Region        string
	PostalCode    string
	Country       string
	FamilyMembers string
	Declaration   string
}

// ApplyView is the application form.
type ApplyView struct {
	ID        int64
	Action    string
	Back      string
	Number    string
	RespondBy string
	Checklist []string
	Form      ApplyForm
	Errs      Problems
}

// RoundForm is the staff's round form.
type RoundForm struct {
	Size     string
	MinScore string
	Date     string
}

// RoundRow is one round in the staff's list.
type RoundRow struct {
	ID       int64
	Date     string
	Size     int
	MinScore string
	Invited  int
	Cutoff   string
	Tiebreak string
	RunAt    string
}

// RoundsView is the staff's rounds page.
type RoundsView struct {
	Rows   []RoundRow
	Form   RoundForm
	Errs   Problems
	Action string
	// Done is the round just run.
	Done *RoundRow
}

func crumbs(ctx context.Context) []templates.Crumb {
	return []templates.Crumb{
		{Label: i18n.T(ctx, "service.ircc.title"), Href: page.URL(ctx, "/ircc/")},
		{Label: i18n.T(ctx, "ee.title"), Href: page.URL(ctx, "/ircc/express-entry/")},
	}
}

func meta(ctx context.Context, key string) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, key), Crumbs: crumbs(ctx)}
}

func staffMeta(ctx context.Context) templates.Meta {
	return templates.Meta{Title: i18n.T(ctx, "ee.rounds.title"), Crumbs: []templates.Crumb{
		{Label: i18n.T(ctx, "ee.staff.console"), Href: page.URL(ctx, "/staff/")},
	}}
}

func yesNo() []Option {
	return []Option{{Value: "yes", Key: "ee.yes"}, {Value: "no", Key: "ee.no"}}
}

func errID(id string) string { return id + "-error" }

// describedBy lists the ids that describe a field: its hint and its
// error, when it has them.
func describedBy(id string, hint, err bool) string {
	var ids []string
	if hint {
		ids = append(ids, id+"-hint")
	}
	if err {
		ids = append(ids, errID(id))
	}
	return strings.Join(ids, " ")
}

// hintT translates a hint key, "" for none.
func hintT(ctx context.Context, key string) string {
	if key == "" {
		return ""
	}
	return i18n.T(ctx, key)
}
