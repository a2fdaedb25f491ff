package deal

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/document"
	"realty/internal/org"
)

// CDACategory is the document category of the filed disbursement
// authorisation.
const CDACategory = "commission"

// DocumentFiler files a generated document inside the caller's
// transaction: the document domain implements it.
type DocumentFiler interface {
	FileTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in document.Input, propertyID *realty.ID, f document.File) (realty.ID, error)
}

// UseDocumentFiler sets the filer of the disbursement authorisation (the
// document domain's). Until one is set, a closing keeps the authorisation
// as its HTML page only.
func (s *Service) UseDocumentFiler(f DocumentFiler) { s.filer = f }

// fileCDATx renders the disbursement authorisation of commission c of
// closed deal d as a PDF and files it as a staff document of the deal
// (category commission), in tx; it returns the document's id, nil when no
// filer is set.
func fileCDATx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, c Commission) (*realty.ID, error) {
	f := effectDeps(ctx).filer
	if f == nil {
		return nil, nil
	}
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return nil, err
	}
	pdf, err := renderCDAPDF(d, c, o.Name, o.Currency)
	if err != nil {
		return nil, err
	}
	id, err := f.FileTx(ctx, tx, actor, document.Input{Title: commissionMemo("Commission disbursement authorisation — ", d.Title),
		Category: CDACategory, EntityType: "deal", EntityID: d.ID, Visibility: "staff"}, d.PropertyID,
		document.File{Name: "commission-disbursement-authorisation.pdf", Body: bytes.NewReader(pdf)})
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// renderCDAPDF writes the disbursement authorisation as a PDF: the
// transaction, the gross and one line per split, dated the closing day
// (the same closing renders the same bytes).
func renderCDAPDF(d Deal, c Commission, brokerage, currency string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	at := d.ActualClose.Time()
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(false)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle("Commission disbursement authorisation", false)
	pdf.SetProducer("realty", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, "Commission disbursement authorisation", "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	money := func(v string) string { return currency + " " + v }
	lines := []string{
		brokerage + " authorises the closing agent to disburse the commission of this transaction as follows.", "",
		fmt.Sprintf("Transaction: %s (%s, %s side)", d.Title, d.Kind, d.Side),
		"Deal reference: " + d.ID.String(), "Closing date: " + d.ActualClose.String(),
	}
	if d.ClosePrice != nil {
		lines = append(lines, "Close price: "+money(d.ClosePrice.StringFixed(2)))
	}
	lines = append(lines, "Gross commission: "+money(c.Gross.StringFixed(2)))
	pdf.MultiCell(0, 5, tr(strings.Join(lines, "\n")), "", "L", false)
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 12)
	pdf.MultiCell(0, 6, "Disbursement", "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	for _, sp := range c.Splits {
		role := sp.Payee
		if sp.Side != nil {
			role += " (" + *sp.Side + " side)"
		}
		pdf.MultiCell(0, 5, tr(fmt.Sprintf("%s, %s: %s\n    %s", sp.PayeeName, role, money(sp.Amount.StringFixed(2)), sp.Basis)), "", "L", false)
	}
	pdf.MultiCell(0, 5, tr("Total: "+money(c.Gross.StringFixed(2))), "", "L", false)
	pdf.Ln(6)
	pdf.MultiCell(0, 5, tr("Authorised for "+brokerage+": ______________________________ Date: ______________"), "", "L", false)
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("render disbursement authorisation pdf: %w", err)
	}
	return out.Bytes(), nil
}
