// Package views holds the site module's pages.
package views

import (
	"context"

	"guichet/app/i18n"
	"guichet/app/maintenance"
	"guichet/app/page"
)

// ServiceCard is one service on the landing page.
type ServiceCard struct {
	ID       string
	TitleKey string
	DescKey  string
	Href     string
	Windows  []maintenance.Window
}

// LandingView is the landing page.
type LandingView struct {
	Services []ServiceCard
}

// landingServices are listed in this order.
var landingServices = []struct{ id, title, desc string }{
	{"gckey", "service.gckey.title", "service.gckey.desc"},
	{"ircc", "service.ircc.title", "service.ircc.desc"},
	{"pt", "service.pt.title", "service.pt.desc"},
	{"pr", "service.pr.title", "service.pr.desc"},
	{"cipo", "service.cipo.title", "service.cipo.desc"},
}

// LandingFor builds the landing page, attaching each announced window to
// the services it affects.
func LandingFor(lang string, upcoming []maintenance.Window) LandingView {
	v := LandingView{Services: make([]ServiceCard, 0, len(landingServices))}
	for _, s := range landingServices {
		card := ServiceCard{ID: s.id, TitleKey: s.title, DescKey: s.desc, Href: "/" + lang + "/" + s.id + "/"}
		for _, w := range upcoming {
			if w.Affects(s.id) {
				card.Windows = append(card.Windows, w)
			}
		}
		v.Services = append(v.Services, card)
	}
	return v
}

// InfoSection is a heading and its paragraphs, as catalog keys.
type InfoSection struct {
	HeadingKey string
	ParaKeys   []string
}

// InfoView is one of the footer's information pages.
type InfoView struct {
	TitleKey string
	IntroKey string
	Sections []InfoSection
}

// InfoPages are the footer pages, written in plain language.
var InfoPages = map[string]InfoView{
	"terms": {TitleKey: "terms.title", IntroKey: "terms.intro", Sections: []InfoSection{
		{HeadingKey: "terms.use_heading", ParaKeys: []string{"terms.use_p1", "terms.use_p2"}},
		{HeadingKey: "terms.account_heading", ParaKeys: []string{"terms.account_p1", "terms.account_p2"}},
		{HeadingKey: "terms.availability_heading", ParaKeys: []string{"terms.availability_p1"}},
		{HeadingKey: "terms.changes_heading", ParaKeys: []string{"terms.changes_p1"}},
	}},
	"privacy": {TitleKey: "privacy.title", IntroKey: "privacy.intro", Sections: []InfoSection{
		{HeadingKey: "privacy.collect_heading", ParaKeys: []string{"privacy.collect_p1", "privacy.collect_p2"}},
		{HeadingKey: "privacy.partners_heading", ParaKeys: []string{"privacy.partners_p1"}},
		{HeadingKey: "privacy.cookies_heading", ParaKeys: []string{"privacy.cookies_p1"}},
		{HeadingKey: "privacy.keep_heading", ParaKeys: []string{"privacy.keep_p1"}},
	}},
	"accessibility": {TitleKey: "accessibility.title", IntroKey: "accessibility.intro", Sections: []InfoSection{
		{HeadingKey: "accessibility.standard_heading", ParaKeys: []string{"accessibility.standard_p1", "accessibility.standard_p2"}},
		{HeadingKey: "accessibility.feedback_heading", ParaKeys: []string{"accessibility.feedback_p1"}},
	}},
	"help": {TitleKey: "help.title", IntroKey: "help.intro", Sections: []InfoSection{
		{HeadingKey: "help.signin_heading", ParaKeys: []string{"help.signin_p1", "help.signin_p2"}},
		{HeadingKey: "help.desk_heading", ParaKeys: []string{"help.desk_p1", "help.desk_phone_canada", "help.desk_phone_tty", "help.desk_phone_outside", "help.desk_hours", "help.desk_limits"}},
		{HeadingKey: "help.session_heading", ParaKeys: []string{"help.session_p1"}},
	}},
}

// paragraph translates an information page's paragraph, filling in the
// session limits where the text names them, so the page says what the
// server really does.
func paragraph(ctx context.Context, key string) string {
	if key == "help.session_p1" {
		info := page.From(ctx)
		return i18n.T(ctx, key, i18n.FormatDuration(info.Lang, info.IdleLimit), i18n.FormatDuration(info.Lang, info.Warn))
	}
	return i18n.T(ctx, key)
}
