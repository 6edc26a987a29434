// Package modules wires the domain modules onto the server. It is the one
// place, besides main, that knows every module; main and the end-to-end
// tests both build the application through it.
package modules

import (
	"context"
	"time"

	"guichet/app"
	"guichet/app/identity"
	"guichet/app/jobs"
	"guichet/modules/auth"
	"guichet/modules/partners"
	"guichet/modules/partners/demobank"
	"guichet/modules/recovery"
	"guichet/modules/secureaccount"
	"guichet/modules/secureaccount/cases"
	"guichet/modules/secureaccount/expressentry"
	"guichet/modules/site"
	"guichet/modules/staff"
	"guichet/modules/twofactor"
)

// PendingServices are the services whose modules are still to be built;
// their entry pages say so instead of answering 404.
var PendingServices = []string{"pr"}

// signInOnly are services whose sign-in works while their own pages are
// still to come.
var signInOnly = []identity.Entry{
	{Service: "pt", NameKey: "service.pt.title"},
	{Service: "cipo", NameKey: "service.cipo.title"},
}

// Set is every module, built and wired.
type Set struct {
	Site      *site.Module
	Auth      *auth.Module
	TwoFactor *twofactor.Module
	Recovery  *recovery.Module
	Partners  *partners.Module
	Staff     *staff.Module
	// The IRCC secure account: the account and its letters and documents,
	// and applications with the staff console.
	Account      *secureaccount.Module
	Cases        *cases.Module
	ExpressEntry *expressentry.Module
	// DemoBank is the built-in test partner, nil when it is off.
	DemoBank *demobank.Bank
}

// Mount is Setup for tests (apptest's Mount option), where a module that
// cannot start is a test failure that may panic.
func Mount(k *app.Kernel, srv *app.Server) {
	if _, err := Setup(k, srv); err != nil {
		panic(err)
	}
}

// Setup builds every module from the kernel and adds its routes. A module
// that cannot start (the demo bank's key unreadable) stops start-up. The
// set is returned for tests that seed data through the modules.
func Setup(k *app.Kernel, srv *app.Server) (*Set, error) {
	set, err := Build(k)
	if err != nil {
		return nil, err
	}
	set.Site.RootRoutes(srv.Echo)
	set.Partners.RootRoutes(srv.Echo)
	if set.DemoBank != nil {
		set.DemoBank.Routes(srv.Echo)
		srv.Bypass(set.DemoBank.MachinePaths()...)
	}
	for _, p := range secureaccount.UploadPaths() {
		srv.AllowUploads("/en"+p, "/fr"+p)
	}
	srv.Mount(set.Site, set.Auth, set.TwoFactor, set.Recovery, set.Partners, set.Staff, set.Account, set.Cases, set.ExpressEntry)
	return set, nil
}

// Build makes every module from the kernel and registers their jobs.
func Build(k *app.Kernel) (*Set, error) {
	var bank *demobank.Bank
	var demo *partners.DemoSettings
	if k.Config.DemoPartner {
		var err error
		bank, err = demobank.New(context.Background(), demobank.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, BaseURL: k.Config.BaseURL})
		if err != nil {
			return nil, err
		}
		demo = &partners.DemoSettings{Bank: bank, ClientID: demobank.ClientID, MFAACR: demobank.MFAACR}
		k.Jobs.Add(jobs.Job{Name: "demo-bank-cleanup", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := bank.Cleanup(ctx)
			return err
		}})
	}
	settings := k.Config.Partners
	if settings == nil {
		settings = app.DefaultPartners()
	}
	partnersMod := partners.New(partners.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Sessions: k.Sessions, Identity: k.Identity,
		Audit: k.Audit, Settings: settings, Demo: demo, BaseURL: k.Config.BaseURL,
	})
	siteMod := site.New(site.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Sessions: k.Sessions, Identity: k.Identity,
		Partners: partnersMod.Chooser(), DevOutbox: k.Config.DevOutbox,
		Pending: PendingServices, SignInOnly: signInOnly,
	})

	// GCKey: auth needs to know about second factors and recovery codes,
	// and they need the credential's email, which Contacts reads without
	// the auth module so the three can be built in order.
	contacts := auth.NewContacts(k.DB)
	rec := recovery.New(recovery.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Identity: k.Identity, Sessions: k.Sessions,
		Codes: k.Codes, Throttle: k.Throttle, Audit: k.Audit, Contact: contacts,
		CounterKey: twofactor.CounterKey, CounterRule: twofactor.WrongAnswerRule,
		MailDomain: k.Config.MailDomain(), Jobs: k.Jobs,
	})
	tf := twofactor.New(twofactor.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Keys: k.Keys, Identity: k.Identity, Sessions: k.Sessions,
		Codes: k.Codes, Throttle: k.Throttle, Audit: k.Audit, Contact: contacts, Recovery: rec,
		MailDomain: k.Config.MailDomain(), Jobs: k.Jobs, Issuer: "Guichet",
	})
	authMod := auth.New(auth.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions,
		Pairwise: k.Pairwise, Codes: k.Codes, Throttle: k.Throttle, Audit: k.Audit, Hasher: k.Hasher,
		SecondFactors: tf, RecoveryCodes: rec, Jobs: k.Jobs, Secure: k.Config.Secure(),
		MailDomain: k.Config.MailDomain(), BaseURL: k.Config.BaseURL,
	})
	k.Jobs.Add(jobs.Job{Name: "gckey-expiry", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
		_, err := authMod.ExpireUnused(ctx)
		return err
	}})
	k.Jobs.Add(jobs.Job{Name: "gckey-cleanup", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := authMod.Cleanup(ctx)
		return err
	}})
	// Often, so an unsaved copy of new recovery codes never outlives its
	// 15 minutes by much.
	k.Jobs.Add(jobs.Job{Name: "recovery-cleanup", Every: 2 * time.Minute, Run: func(ctx context.Context) error {
		_, err := rec.Cleanup(ctx)
		return err
	}})
	// IRCC staff: its RequireRole is the gate every module's staff pages
	// sit behind.
	staffMod := staff.New(staff.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity,
		Codes: k.Codes, Throttle: k.Throttle, Audit: k.Audit, BaseURL: k.Config.BaseURL})

	// The secure account's parts reach each other through the interfaces
	// of modules/secureaccount/account, connected here.
	acct := secureaccount.New(secureaccount.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity,
		Sessions: k.Sessions, Audit: k.Audit, Partners: partnersMod.Chooser(), Jobs: k.Jobs,
		MailDomain: k.Config.MailDomain(), BaseURL: k.Config.BaseURL})
	casesMod := cases.New(cases.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions,
		Audit: k.Audit, Codes: k.Codes, Throttle: k.Throttle, MailDomain: k.Config.MailDomain(), Jobs: k.Jobs,
		Accounts: acct.Accounts(), Mailbox: acct.Mailbox(), Documents: acct.Documents(), Correspondence: acct.Correspondence(),
		RoleGate: staffMod.RequireRole})
	ee := expressentry.New(expressentry.Deps{DB: k.DB, Clock: k.Clock, Log: k.Log, Identity: k.Identity, Sessions: k.Sessions,
		Audit: k.Audit, Accounts: acct.Accounts(), Mailbox: acct.Mailbox(), Applications: casesMod.Applications(),
		RoleGate: staffMod.RequireRole, Jobs: k.Jobs})
	acct.Use(ee.Profiles(), casesMod.ApplicationList())
	name, path := casesMod.Section()
	staffMod.AddSections(staff.Section{NameKey: name, Path: path, Roles: []string{identity.RoleOfficer}},
		staff.Section{NameKey: "ee.staff.section", Path: "/staff/ircc/rounds", Roles: []string{identity.RoleAdministrator}})
	k.Jobs.Add(jobs.Job{Name: "express-entry-expiry", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
		_, err := ee.ExpireProfiles(ctx)
		return err
	}})
	k.Jobs.Add(jobs.Job{Name: "invitation-expiry", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := ee.ExpireInvitations(ctx)
		return err
	}})

	return &Set{Site: siteMod, Auth: authMod, TwoFactor: tf, Recovery: rec, Partners: partnersMod, DemoBank: bank,
		Staff: staffMod, Account: acct, Cases: casesMod, ExpressEntry: ee}, nil
}
