package deal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// Source types of the commission's journal entry.
const commissionSource = "commission"

func init() {
	registerGuard(commissionGuard)
	registerEffect(commissionEffect)
}

// commissionGuard refuses to close a deal whose commission is not set.
func commissionGuard(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, to string) error {
	if to != Closed {
		return nil
	}
	c, err := commissionTx(ctx, tx, actor, d.ID, false)
	if err != nil {
		return err
	}
	if c == nil {
		return realty.FieldError("to", "set the commission (its rate or amount) before closing the deal")
	}
	return nil
}

// commissionEffect posts the commission when a deal closes: its splits
// computed again at the close price, as of the closing date; one journal
// entry (operating cash debited and commission income credited by the
// gross; commission expense debited and commissions payable credited by
// each agent's and the referral's split); and the disbursement
// authorisation generated (its HTML page, and a PDF filed as a staff
// document of the deal, category commission). A commission already posted is left alone, so a
// closing posts once.
func commissionEffect(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, _ string) error {
	if d.Stage != Closed {
		return nil
	}
	c, err := commissionTx(ctx, tx, actor, d.ID, true)
	if err != nil || c == nil || c.PostedAt != nil {
		return err
	}
	if commissionGross(*c, d.ClosePrice) == nil {
		return realty.FieldError("close_price", "the commission is a rate of the close price: give the close price")
	}
	closed := *d.ActualClose
	*c, err = commissionSplitTx(ctx, tx, actor, d, *c, closed, true)
	if err != nil {
		return err
	}
	if c.Gross.IsPositive() {
		if _, err := ledger.PostDatedTx(ctx, tx, actor, commissionEntry(d, *c)); err != nil {
			return err
		}
	}
	page, err := commissionCDA(ctx, tx, actor, d, *c)
	if err != nil {
		return err
	}
	doc, err := fileCDATx(ctx, tx, actor, d, *c)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(page))
	_, err = tx.Exec(ctx, `UPDATE deal.commissions SET closed_on = $3, posted_at = now(), cda_html = $4, cda_sha256 = $5, cda_document_id = $6
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, c.ID, closed, page, hex.EncodeToString(sum[:]), doc)
	return err
}

// commissionEntry is the closing's posting of commission c of deal d.
func commissionEntry(d Deal, c Commission) ledger.Entry {
	date := *d.ActualClose
	dims := ledger.Line{PropertyID: d.PropertyID}
	line := func(key string, debit, credit decimal.Decimal, memo string) ledger.Line {
		l := dims
		l.SystemKey, l.Debit, l.Credit, l.Memo = key, debit, credit, memo
		return l
	}
	e := ledger.Entry{Date: &date, Memo: commissionMemo("Commission at closing: ", d.Title), SourceType: commissionSource, SourceID: &c.ID}
	e.Lines = append(e.Lines, line("operating_cash", *c.Gross, decimal.Zero, "Gross commission received"),
		line("commission_income", decimal.Zero, *c.Gross, "Gross commission"))
	for _, s := range c.Splits {
		if s.Payee == "brokerage" || !s.Amount.IsPositive() {
			continue
		}
		memo := commissionMemo("Commission due to ", s.PayeeName)
		e.Lines = append(e.Lines, line("commission_expense", s.Amount, decimal.Zero, memo), line("commissions_payable", decimal.Zero, s.Amount, memo))
	}
	return e
}

// commissionMemo joins prefix and name within a memo's 500 characters.
func commissionMemo(prefix, name string) string {
	m := prefix + name
	if r := []rune(m); len(r) > 500 {
		m = string(r[:500])
	}
	return m
}
