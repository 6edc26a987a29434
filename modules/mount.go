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
	"guichet/modules/recovery"
	"guichet/modules/site"
	"guichet/modules/twofactor"
)

// PendingServices are the services whose modules are still to be built;
// their entry pages say so instead of answering 404.
var PendingServices = []string{"partners", "pr", "staff"}

// signInOnly are services whose sign-in works while their own pages are
// still to come.
var signInOnly = []identity.Entry{
	{Service: "ircc", NameKey: "service.ircc.title", DelayNotice: true},
	{Service: "pt", NameKey: "service.pt.title"},
	{Service: "cipo", NameKey: "service.cipo.title"},
}

// Set is every module, built and wired.
type Set struct {
	Site      *site.Module
	Auth      *auth.Module
	TwoFactor *twofactor.Module
	Recovery  *recovery.Module
}

// Mount builds every module from the kernel and adds its routes.
func Mount(k *app.Kernel, srv *app.Server) {
	set := Build(k)
	set.Site.RootRoutes(srv.Echo)
	srv.Mount(set.Site, set.Auth, set.TwoFactor, set.Recovery)
}

// Build makes every module from the kernel and registers their jobs.
func Build(k *app.Kernel) *Set {
	siteMod := site.New(site.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Sessions: k.Sessions, Identity: k.Identity,
		Partners: identity.DefaultPartners, DevOutbox: k.Config.DevOutbox,
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
	return &Set{Site: siteMod, Auth: authMod, TwoFactor: tf, Recovery: rec}
}
