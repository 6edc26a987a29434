package staff

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Usage is the staff command's help.
const Usage = `Usage:
  guichet staff grant --role officer|administrator --name "Full name"
      print a one-time enrolment code for that person (valid 24 hours)
  guichet staff revoke ID
      remove staff member ID's access at once
  guichet staff revoke --grant ID
      withdraw grant ID, whose code stops working
  guichet staff list
      list staff members and grants
`

// UsageError is a staff command typed wrong; its message says how.
type UsageError struct{ Problem string }

func (e *UsageError) Error() string { return e.Problem + "\n" + Usage }

func usageErr(format string, args ...any) error {
	return &UsageError{Problem: fmt.Sprintf(format, args...)}
}

// Command runs "guichet staff ...": args are what follows "staff", without
// the server's own flags (see SplitArgs). What it prints is for the person
// at the terminal.
func Command(ctx context.Context, m *Module, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("staff: say what to do (grant, revoke or list)")
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "grant":
		return grantCmd(ctx, m, rest, stdout)
	case "revoke":
		return revokeCmd(ctx, m, rest, stdout)
	case "list":
		if len(rest) > 0 {
			return usageErr("staff list: takes no arguments, got %q", strings.Join(rest, " "))
		}
		return listCmd(ctx, m, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, Usage)
		return nil
	default:
		return usageErr("staff: unknown command %q (grant, revoke or list)", sub)
	}
}

// NeedsDatabase tells whether args name a command that reads or changes
// staff access; help, a missing or an unknown command is answered without
// opening (and so creating) a database.
func NeedsDatabase(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "grant", "revoke", "list":
		return true
	}
	return false
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func grantCmd(ctx context.Context, m *Module, args []string, stdout io.Writer) error {
	fs := newFlags("staff grant")
	role := fs.String("role", "", "officer or administrator")
	name := fs.String("name", "", "the person's full name")
	if err := fs.Parse(args); err != nil {
		return usageErr("staff grant: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("staff grant: unexpected %q (quote a name with spaces)", strings.Join(fs.Args(), " "))
	}
	switch {
	case *role == "":
		return usageErr("staff grant: --role is required (officer or administrator)")
	case !ValidRole(*role):
		return usageErr("staff grant: --role must be officer or administrator, not %q", *role)
	}
	if strings.TrimSpace(*name) == "" {
		return usageErr("staff grant: --name is required: the person's full name")
	}
	clean, err := CleanName(*name)
	if err != nil {
		return usageErr("staff grant: --name must be the person's full name, 1 to %d printable characters", MaxName)
	}
	code, id, err := m.Grant(ctx, *role, clean)
	if err != nil {
		return err
	}
	g, err := m.store.Grant(ctx, m.db.R, id)
	if err != nil {
		return err
	}
	expires := g.ExpiresAt
	en, fr := m.baseURL+"/en/staff/", m.baseURL+"/fr/staff/"
	fmt.Fprintf(stdout, "Enrolment code for %s (%s), grant %d:\n\n    %s\n\n", clean, *role, id, code)
	fmt.Fprintf(stdout, "It works once, for 24 hours (until %s). Give it to %s only.\n", stamp(expires), clean)
	fmt.Fprintf(stdout, "To redeem it, %s signs in at %s (French: %s) with a GCKey and an\n", clean, en, fr)
	fmt.Fprintf(stdout, "authenticator app (not a Sign-In Partner, not an email code) and enters the code.\n")
	fmt.Fprintf(stdout, "To withdraw it before then: guichet staff revoke --grant %d\n", id)
	return nil
}

func revokeCmd(ctx context.Context, m *Module, args []string, stdout io.Writer) error {
	fs := newFlags("staff revoke")
	grant := fs.Bool("grant", false, "ID is a grant, not a member")
	if err := fs.Parse(args); err != nil {
		return usageErr("staff revoke: %v", err)
	}
	if fs.NArg() != 1 {
		return usageErr("staff revoke: give one number (a member, or a grant with --grant)")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usageErr("staff revoke: %q is not a number", fs.Arg(0))
	}
	if *grant {
		if err := m.RevokeGrant(ctx, id); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("staff revoke: no open grant %d (it does not exist, or was redeemed or revoked already)", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Grant %d was withdrawn: its enrolment code no longer works.\n", id)
		return nil
	}
	if err := m.RevokeMember(ctx, id); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("staff revoke: no active staff member %d (see guichet staff list)", id)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Staff member %d's access was removed: their next request is refused.\n", id)
	return nil
}

// stamp is a time for the terminal: UTC, to the minute.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func listCmd(ctx context.Context, m *Module, stdout io.Writer) error {
	members, grants, err := m.List(ctx)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Staff members")
	if len(members) == 0 {
		fmt.Fprintln(tw, "  none")
	} else {
		fmt.Fprintln(tw, "  ID\tNAME\tROLE\tENROLLED\tACCESS")
		for _, mem := range members {
			access := "active"
			if mem.RevokedAt != nil {
				access = "removed " + stamp(*mem.RevokedAt)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", mem.ID, mem.Name, mem.Role, stamp(mem.EnrolledAt), access)
		}
	}
	fmt.Fprintln(tw, "\t\t\t\t")
	fmt.Fprintln(tw, "Grants")
	if len(grants) == 0 {
		fmt.Fprintln(tw, "  none")
	} else {
		fmt.Fprintln(tw, "  ID\tNAME\tROLE\tCREATED\tSTATE")
		for _, g := range grants {
			state := g.State(now)
			switch state {
			case GrantPending:
				state += " until " + stamp(g.ExpiresAt)
			case GrantRedeemed:
				if g.MemberID != nil {
					state += " by member " + strconv.FormatInt(*g.MemberID, 10)
				}
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", g.ID, g.Name, g.Role, stamp(g.CreatedAt), state)
		}
	}
	return tw.Flush()
}

// SplitArgs separates what follows "guichet staff" into the staff
// command's own arguments (the subcommand, --role, --name, --grant and a
// revoke's number) and the rest, the server's flags (--db, --env, ...),
// for the caller to open the kernel with.
func SplitArgs(args []string) (own, rest []string) {
	valueNext := false // the previous argument was a server flag awaiting its value
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case valueNext:
			rest = append(rest, a)
			valueNext = false
		case strings.HasPrefix(a, "-") && (name == "role" || name == "name"):
			own = append(own, a)
			if !hasValue && i+1 < len(args) {
				i++
				own = append(own, args[i])
			}
		case strings.HasPrefix(a, "-") && (name == "grant" || name == "h" || name == "help"):
			own = append(own, a)
		case strings.HasPrefix(a, "-"):
			rest = append(rest, a)
			valueNext = !hasValue && name != "allow-remote-dev"
		default:
			own = append(own, a)
		}
	}
	return own, rest
}
