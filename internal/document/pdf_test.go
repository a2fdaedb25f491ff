package document_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"realty/internal/document"
)

// minimalPDF writes a one-page PDF whose text layer holds text, with a
// correct cross-reference table, the way any PDF writer lays one out.
func minimalPDF(text string) []byte {
	text = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(text)
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func TestExtractTextFromPDF(t *testing.T) {
	t.Parallel()
	got := document.ExtractText("application/pdf", minimalPDF("Seller disclosure mentions a quokka colony"))
	if !strings.Contains(got, "quokka") {
		t.Fatalf("text of the PDF = %q, want it to hold quokka", got)
	}
	if got := document.ExtractText("application/pdf", []byte("%PDF-1.4 garbage")); got != "" {
		t.Fatalf("text of a broken PDF = %q, want none", got)
	}
	if got := document.ExtractText("text/plain; charset=utf-8", []byte("a\x00b\x01c\nd")); got != "a b c\nd" {
		t.Fatalf("plain text = %q, want control characters blanked", got)
	}
}

func TestCleanFileName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400) + ".pdf"
	for _, c := range []struct{ in, want string }{
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system.ini`, "system.ini"},
		{"report\x00.pdf", "report.pdf"},
		{"..", "document.pdf"},
		{"", "document.pdf"},
		{".hidden", "hidden"},
		{"/", "document.pdf"},
		{"Offer – 12 Elm.pdf", "Offer – 12 Elm.pdf"},
	} {
		if got := document.CleanFileName(c.in, "application/pdf"); got != c.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := document.CleanFileName(long, "application/pdf")
	if len(got) > 255 || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("CleanFileName(long) = %q (%d bytes), want at most 255 valid bytes ending .pdf", got, len(got))
	}
}
