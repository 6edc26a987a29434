package views

import (
	"regexp"
	"strings"
)

// OutboxRow is one message in the development outbox list.
type OutboxRow struct {
	Href, To, Subject, Status, Created string
}

// OutboxView lists the newest messages.
type OutboxView struct {
	Rows []OutboxRow
}

// MessageView is one message, its body split so links can be followed.
type MessageView struct {
	To, Subject, MessageID, Status, Created string
	Body                                    []Segment
}

// Segment is a run of body text, or a link when URL is set.
type Segment struct {
	Text string
	URL  string
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Linkify splits text into plain runs and http(s) links, so the outbox page
// can make the links in a message clickable without trusting its HTML.
func Linkify(text string) []Segment {
	var out []Segment
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		u := strings.TrimRight(text[loc[0]:loc[1]], ".,;:)»")
		end := loc[0] + len(u)
		if loc[0] > last {
			out = append(out, Segment{Text: text[last:loc[0]]})
		}
		out = append(out, Segment{Text: u, URL: u})
		last = end
	}
	if last < len(text) {
		out = append(out, Segment{Text: text[last:]})
	}
	return out
}
