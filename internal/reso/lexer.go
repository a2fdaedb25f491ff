package reso

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"realty"
)

// tokenKind classifies a $filter token.
type tokenKind int

const (
	tEOF      tokenKind = iota
	tIdent              // a name: field, operator keyword, function, range variable
	tString             // 'text' ('' inside for a quote); val holds the text
	tNumber             // 12, -3, 4.50
	tDate               // 2024-05-01
	tDateTime           // 2024-05-01T10:00:00Z
	tEnum               // org.reso.metadata.enums.StandardStatus'Active'; val is the value, typ the type name
	tLParen
	tRParen
	tComma
	tSlash
	tColon
)

var tokenNames = map[tokenKind]string{tEOF: "end of filter", tIdent: "name", tString: "string", tNumber: "number",
	tDate: "date", tDateTime: "date-time", tEnum: "enumeration value", tLParen: "(", tRParen: ")", tComma: ",",
	tSlash: "/", tColon: ":"}

// token is one lexeme of a $filter with its byte offset, for messages.
type token struct {
	kind tokenKind
	text string // the source text
	val  string // decoded value of strings and enumeration literals
	typ  string // type name of an enumeration literal
	pos  int
}

func (t token) String() string {
	if t.kind == tEOF {
		return tokenNames[tEOF]
	}
	return clip(strings.TrimSpace(t.text))
}

// clip shortens caller text quoted in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return s[:40] + "…"
}

// filterError is the 400 every malformed, ill-typed or oversized $filter
// gets: its message names what and where.
func filterError(pos int, format string, args ...any) error {
	e := realty.Errorf(realty.Invalid, "$filter: "+format, args...)
	if pos >= 0 {
		e.Message += " (at character " + strconv.Itoa(pos+1) + ")"
	}
	return e
}

// lex splits a $filter into tokens. It fails on a character that starts no
// token and on an unterminated string.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case strings.IndexByte("(),/:", c) >= 0:
			out = append(out, token{kind: punct[c], text: src[i : i+1], pos: i})
			i++
			continue
		case c == '\'':
			t, next, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i = next
			continue
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			t := lexNumber(src, i)
			out = append(out, t)
			i += len(t.text)
			continue
		case isIdentStart(c):
			t, next, err := lexName(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i = next
			continue
		}
		r, _ := utf8.DecodeRuneInString(src[i:])
		return nil, filterError(i, "unexpected character %q", r)
	}
	return append(out, token{kind: tEOF, pos: len(src)}), nil
}

var punct = map[byte]tokenKind{'(': tLParen, ')': tRParen, ',': tComma, '/': tSlash, ':': tColon}

// lexString reads a quoted string starting at i; a doubled quote stands for
// one quote.
func lexString(src string, i int) (token, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		if src[j] != '\'' {
			b.WriteByte(src[j])
			continue
		}
		if j+1 < len(src) && src[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return token{kind: tString, text: src[i : j+1], val: b.String(), pos: i}, j + 1, nil
	}
	return token{}, 0, filterError(i, "unterminated string")
}

// lexNumber reads a number, date or date-time starting at i; whether it is
// well-formed is checked when the parser converts it.
func lexNumber(src string, i int) token {
	j := i
	if src[j] == '-' {
		j++
	}
	for j < len(src) && (isDigit(src[j]) || strings.IndexByte(".-:+TZ", src[j]) >= 0) {
		if src[j] == '-' && j > i && !isDigit(src[j-1]) {
			break
		}
		j++
	}
	text := src[i:j]
	kind := tNumber
	switch {
	case strings.Contains(text, "T"):
		kind = tDateTime
	case strings.Contains(text[1:], "-"):
		kind = tDate
	}
	return token{kind: kind, text: text, pos: i}
}

// lexName reads a name, possibly dotted (a qualified type name), which is an
// enumeration literal when a quoted value follows at once.
func lexName(src string, i int) (token, int, error) {
	j := i
	for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j]) || src[j] == '.') {
		j++
	}
	name := src[i:j]
	if j < len(src) && src[j] == '\'' {
		s, next, err := lexString(src, j)
		if err != nil {
			return token{}, 0, err
		}
		return token{kind: tEnum, text: src[i:next], val: s.val, typ: name, pos: i}, next, nil
	}
	if strings.Contains(name, ".") {
		return token{}, 0, filterError(i, "unexpected name %s: a type name must be followed by a quoted value", clip(name))
	}
	return token{kind: tIdent, text: name, pos: i}, j, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
