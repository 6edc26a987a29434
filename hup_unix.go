package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"guichet/app"
)

// reloadOnHangup re-reads the maintenance file on SIGHUP.
func reloadOnHangup(ctx context.Context, k *app.Kernel) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	defer signal.Stop(ch)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			if err := k.Maintenance.Reload(); err == nil {
				k.Log.Info("maintenance schedule reloaded")
			}
		}
	}
}
