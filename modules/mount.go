// Package modules wires the domain modules onto the server. It is the one
// place, besides main, that knows every module; main and the end-to-end
// tests both build the application through it.
package modules

import (
	"guichet/app"
	"guichet/modules/site"
)

// PendingServices are the services whose modules are still to be built;
// their entry pages say so instead of answering 404.
var PendingServices = []string{"gckey", "partners", "ircc", "pt", "pr", "cipo", "staff"}

// Mount builds every module from the kernel and adds its routes.
func Mount(k *app.Kernel, srv *app.Server) {
	siteMod := site.New(k.DB, k.Clock, k.Log, k.Sessions, k.Config.DevOutbox, PendingServices)
	siteMod.RootRoutes(srv.Echo)
	srv.Mount(siteMod)
}
