package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"guichet/app/mail"
	"guichet/db"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "guichet ") {
		t.Fatalf("version printed %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := run(context.Background(), []string{"frobnicate"}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestBadSettingStopsStartUp(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "0.0.0.0:1"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GUICHET_ADDR") {
		t.Fatalf("err = %v", err)
	}
	err = run(context.Background(), []string{"serve"}, envMap(map[string]string{"GUICHET_ENV": "prod"}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GUICHET_SECRET") {
		t.Fatalf("prod without secret: %v", err)
	}
}

func TestBrokenMaintenanceFileStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(file, []byte("[[window]]\nid = \"x\"\nservices = [\"nope\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(dir, "g.db"), "--maintenance", file, "--addr", "127.0.0.1:0"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "m.toml:") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrateThenServeAndShutDownGracefully(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate printed %q", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logR, logW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, envMap(nil), io.Discard, logW)
		logW.Close()
	}()
	addr := make(chan string, 1)
	stopped := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(logR)
		sawStopped := false
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				if line.Msg == "listening" {
					addr <- line.Addr
				}
				if line.Msg == "stopped" {
					sawStopped = true
				}
			}
		}
		stopped <- sawStopped
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("server ended early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	res, err := http.Get(base + "en/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("landing page: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
	if !<-stopped {
		t.Fatal("server did not log a clean stop")
	}
}

func TestMailCommandListsAndRequeuesParkedMessages(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	ctx := context.Background()
	if err := run(ctx, []string{"migrate", "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = d.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err = mail.Enqueue(ctx, tx, time.Now(), "guichet.test", mail.Message{To: "a@example.com", Subject: "Code", Text: "123456", Lang: "en"})
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE app_outbox SET status = 'failed', attempts = 8, last_error = 'connection refused'`)
		return err
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"mail", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "a@example.com") || !strings.Contains(out.String(), "connection refused") {
		t.Fatalf("mail printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"mail", "retry", strconv.FormatInt(id, 10), "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"mail", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "no failed messages") {
		t.Fatalf("after retry: %q", out.String())
	}
	if err := run(ctx, []string{"mail", "retry", strconv.FormatInt(id, 10), "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("retrying a message that is not parked succeeded")
	}
}

func TestDemoCreatesAWorkingGCKeyOnce(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{demoUsername, demoPassword, "authenticator secret:", "current code:", "Demo Bank", demoBankCustomer} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "already exists") {
		t.Fatalf("second demo run: %s", out.String())
	}
}

func TestStaffCommandGrantsAndLists(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"staff", "grant", "--role", "officer", "--name", "Ana Lopez", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Ana Lopez") || !strings.Contains(out.String(), "24") {
		t.Fatalf("grant output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"staff", "list", "--db", dbPath}, envMap(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "Ana Lopez") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"staff", "grant", "--role", "boss", "--name", "X", "--db", dbPath}, envMap(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown role was granted")
	}
}
