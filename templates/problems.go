package templates

import (
	"context"
	"strings"
	"time"

	"guichet/app/i18n"
)

// Problem is one form error: the id of the field it belongs to and the
// catalog key of its message, translated only when shown, so handlers
// and stores never pick a language.
type Problem struct {
	Field string
	Key   string
	Args  []any
}

// Named is a message argument that is itself a catalog key (an ability, a
// step), translated with the message.
type Named string

// Date is a message argument written as a date in the page's language.
type Date struct{ T time.Time }

// Message is the problem in the page's language.
func (p Problem) Message(ctx context.Context) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		switch a := a.(type) {
		case Named:
			args[i] = i18n.T(ctx, string(a))
		case Date:
			args[i] = i18n.FormatDate(i18n.LangOf(ctx), a.T)
		default:
			args[i] = a
		}
	}
	return i18n.T(ctx, p.Key, args...)
}

// Problems are a form's errors, in the order of the fields.
type Problems []Problem

// For returns the messages of one field, joined.
func (ps Problems) For(ctx context.Context, field string) string {
	var parts []string
	for _, p := range ps {
		if p.Field == field {
			parts = append(parts, p.Message(ctx))
		}
	}
	return strings.Join(parts, " ")
}

// Summary is the error summary's list: one link per message.
func (ps Problems) Summary(ctx context.Context) []FieldError {
	out := make([]FieldError, 0, len(ps))
	for _, p := range ps {
		out = append(out, FieldError{Field: p.Field, Message: p.Message(ctx)})
	}
	return out
}

// Has tells whether field has an error.
func (ps Problems) Has(field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
