package document

import (
	"bytes"
	"io"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"
)

// MaxTextChars bounds the text kept for search from one version: enough
// for a long contract, and far below what one tsvector can hold.
const MaxTextChars = 200_000

// ExtractText returns the searchable text of a file: a PDF's text layer
// (nothing for a scanned PDF or one the reader cannot parse) or plain
// text, as valid UTF-8 without NUL or other control characters save line
// breaks and tabs, at most MaxTextChars runes. Other types have none.
func ExtractText(contentType string, b []byte) string {
	var text string
	switch {
	case contentType == "application/pdf":
		text = pdfText(b)
	case strings.HasPrefix(contentType, "text/plain"):
		text = string(b)
	default:
		return ""
	}
	return cleanText(text)
}

// pdfText reads a PDF's text layer. The reader panics on some malformed
// files; a file it cannot read simply has no text.
func pdfText(b []byte) (text string) {
	defer func() {
		if recover() != nil {
			text = ""
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return ""
	}
	plain, err := r.GetPlainText()
	if err != nil {
		return ""
	}
	out, err := io.ReadAll(io.LimitReader(plain, 4*MaxTextChars))
	if err != nil {
		return ""
	}
	return string(out)
}

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	n := 0
	for i := range s {
		if n == MaxTextChars {
			return s[:i]
		}
		n++
	}
	return s
}
