package twofactor

import (
	"github.com/labstack/echo/v4"

	"guichet/app/codes"
)

// codeForm is a 6-digit code, from an app or an email.
type codeForm struct {
	Code string
	Next string
}

func readCodeForm(c echo.Context) codeForm {
	return codeForm{Code: c.FormValue("code"), Next: nextOf(c.FormValue("next"))}
}

// Validate returns the catalog key of what is wrong with the code's shape.
// A code of the wrong shape is not a guess: it does not count as a wrong
// answer.
func (f codeForm) Validate() string {
	code := codes.Normalize(codes.Digits, f.Code)
	switch {
	case code == "":
		return "twofactor.error_code_required"
	case len(code) != 6 || !allDigits(code):
		return "twofactor.error_code_format"
	}
	return ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// methodForm is the choice of method at set-up.
type methodForm struct {
	Method string
}

// Validate returns the catalog key of the error, if any.
func (f methodForm) Validate() string {
	if f.Method != "app" && f.Method != "email" {
		return "twofactor.error_method_required"
	}
	return ""
}
