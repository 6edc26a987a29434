package identity

import "github.com/labstack/echo/v4"

// Staff roles. An administrator can do everything an officer can, and
// manage rounds of invitations.
const (
	RoleOfficer       = "officer"
	RoleAdministrator = "administrator"
)

// Staff is the IRCC staff member a staff page is served to, as the staff
// module's RequireRole found them. Modules with staff pages read it to
// record who acted.
type Staff struct {
	// ID is the staff member's number in the staff module.
	ID   int64
	Name string
	Role string
}

const staffKey = "identity.staff"

// WithStaff records the staff member for the rest of the request.
func WithStaff(c echo.Context, s Staff) { c.Set(staffKey, s) }

// StaffOf returns the staff member RequireRole let through.
func StaffOf(c echo.Context) (Staff, bool) {
	s, ok := c.Get(staffKey).(Staff)
	return s, ok
}

// RoleGate is the staff module's RequireRole, as other modules receive
// it from main: a middleware that lets through only signed-in staff
// holding one of the roles.
type RoleGate func(roles ...string) echo.MiddlewareFunc
