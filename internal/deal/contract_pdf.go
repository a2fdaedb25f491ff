package deal

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"realty"
)

// ConsentStatement is what a signer agrees to by ticking the box on the
// signing page; the certificate page repeats it.
const ConsentStatement = "I agree to sign this document electronically. My typed name is my signature, " +
	"and it binds me as a handwritten signature on this document would."

// contractDoc is what one rendered version shows.
type contractDoc struct {
	ContractID realty.ID
	Title      string
	Body       string
	Version    int
	At         time.Time
	// Certificate, when set, appends the signing certificate page.
	Certificate *contractCertificate
}

// contractCertificate is the evidence of the signing, for its page.
type contractCertificate struct {
	SignedVersion int
	SignedSHA256  string
	ExecutedAt    time.Time
	Signers       []ContractSigner
}

// renderContractPDF writes doc as a PDF: the title, the text, a footer with
// the contract, version and page on every page, and the certificate page
// last when doc has one. The core fonts speak Windows-1252; characters
// outside it are dropped by the translator.
func renderContractPDF(doc contractDoc) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(doc.At)
	pdf.SetModificationDate(doc.At)
	pdf.SetCatalogSort(true)
	// Uncompressed, so the text can be searched and extracted as it is.
	pdf.SetCompression(false)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(doc.Title, true)
	pdf.SetProducer("realty", false)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("Contract %s · version %d · page %d", doc.ContractID, doc.Version, pdf.PageNo())),
			"", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(doc.Title), "", "L", false)
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 5.5, tr(doc.Body), "", "L", false)
	if doc.Certificate != nil {
		contractCertificatePage(pdf, tr, doc)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("render contract pdf: %w", err)
	}
	return out.Bytes(), nil
}

// contractCertificatePage appends the signing certificate: for each signer
// their name, e-mail, time, IP, user agent and the SHA-256 of the version
// they signed, and the consent statement they agreed to.
func contractCertificatePage(pdf *fpdf.Fpdf, tr func(string) string, doc contractDoc) {
	c := doc.Certificate
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 8, "Signing certificate", "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 5, tr(fmt.Sprintf("Contract: %s (%s)\nSigned version: %d\nSHA-256 of the signed version: %s\nExecuted: %s",
		doc.Title, doc.ContractID, c.SignedVersion, c.SignedSHA256, c.ExecutedAt.UTC().Format(time.RFC3339))), "", "L", false)
	pdf.Ln(3)
	pdf.MultiCell(0, 5, tr("Every signer opened a one-time link sent to their e-mail address, agreed to this statement and typed "+
		"their name: \""+ConsentStatement+"\""), "", "L", false)
	for _, s := range c.Signers {
		if s.Status != SignerSigned {
			continue
		}
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.MultiCell(0, 5, tr(fmt.Sprintf("%s (%s)", s.Name, strings.ReplaceAll(s.Role, "_", " "))), "", "L", false)
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(0, 4.5, tr(fmt.Sprintf("E-mail: %s\nTyped name: %s\nSigned: %s\nIP address: %s\nUser agent: %s\nSHA-256 of the version signed (%d): %s\nConsent: given",
			s.Email, contractDeref(s.TypedName), contractTime(s.SignedAt), contractDeref(s.IP), contractDeref(s.UserAgent),
			contractInt(s.SignedVersion), contractDeref(s.SignedSHA256))), "", "L", false)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "I", 8)
	pdf.MultiCell(0, 4, tr("A simple electronic signature: the evidence is the document's SHA-256 and this record of who signed, "+
		"when and from where. It is not a qualified or certificate-based (PKI) digital signature."), "", "L", false)
}

func contractTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func contractInt(i *int) int {
	if i == nil {
		return 0
	}
	return *i
}
