// Package modules wires the domain modules onto the server. It is the one
// place, besides main, that knows every module; main and the end-to-end
// tests both build the application through it.
package modules

import (
	"guichet/app"
	"guichet/app/identity"
	"guichet/modules/site"
)

// PendingServices are the services whose modules are still to be built;
// their entry pages say so instead of answering 404.
var PendingServices = []string{"gckey", "partners", "pr", "staff"}

// signInOnly are services whose sign-in works while their own pages are
// still to come.
var signInOnly = []identity.Entry{
	{Service: "ircc", NameKey: "service.ircc.title", DelayNotice: true},
	{Service: "pt", NameKey: "service.pt.title"},
	{Service: "cipo", NameKey: "service.cipo.title"},
}

// Mount builds every module from the kernel and adds its routes.
func Mount(k *app.Kernel, srv *app.Server) {
	siteMod := site.New(site.Deps{
		DB: k.DB, Clock: k.Clock, Log: k.Log, Sessions: k.Sessions, Identity: k.Identity,
		Partners: identity.DefaultPartners, DevOutbox: k.Config.DevOutbox,
		Pending: PendingServices, SignInOnly: signInOnly,
	})
	siteMod.RootRoutes(srv.Echo)
	srv.Mount(siteMod)
}
