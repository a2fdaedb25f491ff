package web

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// formField is a form input's name and label.
type formField struct{ Name, Label string }

// fields pairs names and labels (name, label, name, label, …), in order,
// for a template that renders a row of similar inputs.
func fields(kv ...string) []formField {
	var out []formField
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, formField{kv[i], kv[i+1]})
	}
	return out
}

// money formats an amount with thousands separators ("1,250,000"; cents
// only when there are any).
func money(d fmt.Stringer) string {
	s := d.String()
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + (frac + "0")[:2]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// when formats an instant (a time.Time or *time.Time; "" for nil) in UTC.
func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if v != nil {
			return when(*v)
		}
	}
	return ""
}

// label turns an enumeration value as stored into words for people: RESO's
// PascalCase values ("ActiveUnderContract" → "Active under contract") and
// realty's snake_case ones ("property_manager" → "Property manager"). A run
// of capitals stays an acronym ("MLSStatus" → "MLS status"). Values shown
// as codes (permission names, audit kinds) are not labelled.
func label(v string) string {
	words := splitWords(v)
	for i, w := range words {
		switch {
		case isUpper(w) && len(w) > 1:
			// an acronym stays as it is
		case i == 0:
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		default:
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

// plural picks the word for n of something.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinLabels labels each value and joins them with commas.
func joinLabels(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = label(v)
	}
	return strings.Join(out, ", ")
}

// splitWords splits at underscores, hyphens and spaces, and before a
// capital that starts a new word: after a lower-case letter or digit, or
// before the last capital of a run followed by a lower-case letter.
func splitWords(v string) []string {
	var words []string
	var cur []rune
	rs := []rune(v)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if r == '_' || r == '-' || r == ' ' {
			flush()
			continue
		}
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

func isUpper(w string) bool {
	return strings.IndexFunc(w, unicode.IsLower) < 0
}
