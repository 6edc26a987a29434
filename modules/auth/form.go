package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"guichet/app/codes"
	"guichet/app/mail"
	"guichet/app/password"
	"guichet/modules/auth/views"
)

// normEmail is the form addresses are compared and throttled by.
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func problem(field, key string, args ...any) views.Problem {
	return views.Problem{Field: field, Key: key, Args: args}
}

// passwordProblems are the policy problems of a new password, on field.
func passwordProblems(field, username, pw string) views.Problems {
	var out views.Problems
	if pw == "" {
		return views.Problems{{Field: field, Key: "auth.password.required"}}
	}
	for _, p := range password.Check(username, pw) {
		out = append(out, views.Problem{Field: field, Key: string(p)})
	}
	return out
}

// confirmProblems checks the repeated new password.
func confirmProblems(pw, confirm string) views.Problems {
	switch {
	case confirm == "":
		return views.Problems{{Field: "confirm", Key: "auth.confirm.required"}}
	case confirm != pw:
		return views.Problems{{Field: "confirm", Key: "auth.confirm.mismatch"}}
	}
	return nil
}

// emailProblems checks an address typed in field.
func emailProblems(field, e string) views.Problems {
	switch {
	case strings.TrimSpace(e) == "":
		return views.Problems{{Field: field, Key: "auth.email.required"}}
	case !mail.ValidAddress(strings.TrimSpace(e)):
		return views.Problems{{Field: field, Key: "auth.email.invalid"}}
	}
	return nil
}

// codeProblems checks the shape of a typed 6-digit code.
func codeProblems(typed string) views.Problems {
	n := codes.Normalize(codes.Digits, typed)
	switch {
	case n == "":
		return views.Problems{{Field: "code", Key: "auth.code.required"}}
	case utf8.RuneCountInString(n) != 6 || strings.Trim(n, "0123456789") != "":
		return views.Problems{{Field: "code", Key: "auth.code.shape"}}
	}
	return nil
}

// detailsForm is the sign-up's second step.
type detailsForm struct {
	Username, Password, Confirm, Email string
}

func readDetails(c echo.Context) detailsForm {
	return detailsForm{
		Username: strings.TrimSpace(c.FormValue("username")),
		Password: c.FormValue("password"),
		Confirm:  c.FormValue("confirm"),
		Email:    strings.TrimSpace(c.FormValue("email")),
	}
}

func (f detailsForm) validate() views.Problems {
	var out views.Problems
	if f.Username == "" {
		out = append(out, problem("username", "auth.username.required"))
	} else {
		for _, p := range password.CheckUsername(f.Username) {
			out = append(out, problem("username", string(p)))
		}
	}
	out = append(out, passwordProblems("password", f.Username, f.Password)...)
	out = append(out, confirmProblems(f.Password, f.Confirm)...)
	out = append(out, emailProblems("email", f.Email)...)
	return out
}

// signinForm is username and password.
type signinForm struct {
	Username, Password string
}

func (f signinForm) validate() views.Problems {
	var out views.Problems
	if strings.TrimSpace(f.Username) == "" {
		out = append(out, problem("username", "auth.signin.username_required"))
	}
	if f.Password == "" {
		out = append(out, problem("password", "auth.signin.password_required"))
	}
	return out
}

// resetForm is the form a reset link opens.
type resetForm struct {
	Token, Password, Confirm, Code string
}

func (f resetForm) validate(username string, needCode bool) views.Problems {
	out := passwordProblems("password", username, f.Password)
	out = append(out, confirmProblems(f.Password, f.Confirm)...)
	if needCode && strings.TrimSpace(f.Code) == "" {
		out = append(out, problem("code", "auth.reset.code_required"))
	}
	return out
}

// changePasswordForm is the account's password change.
type changePasswordForm struct {
	Current, Password, Confirm string
}

func (f changePasswordForm) validate(username string) views.Problems {
	var out views.Problems
	if f.Current == "" {
		out = append(out, problem("current", "auth.change.current_required"))
	}
	out = append(out, passwordProblems("password", username, f.Password)...)
	out = append(out, confirmProblems(f.Password, f.Confirm)...)
	return out
}
