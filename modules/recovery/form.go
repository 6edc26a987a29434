package recovery

import (
	"strings"

	"guichet/app/codes"
)

// recoverForm is one recovery code as typed.
type recoverForm struct {
	Code string
}

// Validate returns the catalog key of what is wrong with the code's shape.
// A code of the wrong shape is not a guess: it does not count towards the
// lock.
func (f recoverForm) Validate() string {
	code := codes.Normalize(codes.Grouped, f.Code)
	if code == "" {
		return "recovery.error_code_required"
	}
	if len(code) != 12 {
		return "recovery.error_code_format"
	}
	for _, r := range code {
		if !strings.ContainsRune(codes.Alphabet, r) {
			return "recovery.error_code_format"
		}
	}
	return ""
}
