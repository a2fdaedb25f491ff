package deal

import (
	"bytes"
	"context"
	"html/template"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
)

// commissionCDAPage is the commission disbursement authorisation: a
// printable page, self-contained but for the dashboard's stylesheets, that
// tells the closing agent how the commission is to be paid.
var commissionCDAPage = template.Must(template.New("cda").Funcs(template.FuncMap{
	"cents": func(d decimal.Decimal) string { return d.StringFixed(2) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commission disbursement authorisation — {{.Deal.Title}}</title>
<link rel="stylesheet" href="/static/vendor/pico/pico.min.css"><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="container cda">
<h1>Commission disbursement authorisation</h1>
<p><strong>{{.Brokerage}}</strong> authorises the closing agent to disburse the commission of this transaction as follows.</p>
<table>
<tr><th scope="row">Transaction</th><td>{{.Deal.Title}} ({{.Deal.Kind}}, {{.Deal.Side}} side)</td></tr>
<tr><th scope="row">Deal reference</th><td>{{.Deal.ID}}</td></tr>
<tr><th scope="row">Closing date</th><td>{{.Deal.ActualClose}}</td></tr>
{{with .Deal.ClosePrice}}<tr><th scope="row">Close price</th><td>{{$.Currency}} {{cents .}}</td></tr>{{end}}
<tr><th scope="row">Gross commission</th><td>{{.Currency}} {{cents .Gross}}{{with .C.GrossRate}} ({{.}} % of the close price){{end}}</td></tr>
</table>
<h2>Disbursement</h2>
<table>
<thead><tr><th>Payee</th><th>Role</th><th>Basis</th><th>Amount</th></tr></thead>
<tbody>{{range .C.Splits}}<tr><td>{{.PayeeName}}</td><td>{{.Payee}}{{with .Side}} ({{.}} side){{end}}</td><td>{{.Basis}}</td><td>{{$.Currency}} {{cents .Amount}}</td></tr>
{{end}}</tbody>
<tfoot><tr><th colspan="3">Total</th><th>{{.Currency}} {{cents .Gross}}</th></tr></tfoot>
</table>
<p>Amounts are exact to the cent; what rounding leaves goes to the brokerage, so the disbursements add up to the gross commission.</p>
<p>Authorised for {{.Brokerage}}: ______________________________ Date: ______________</p>
</main></body></html>
`))

// commissionCDA renders the disbursement authorisation of commission c of
// deal d (its splits as posted).
func commissionCDA(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, c Commission) (string, error) {
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return "", err
	}
	gross := decimal.Zero
	if c.Gross != nil {
		gross = *c.Gross
	}
	var buf bytes.Buffer
	err = commissionCDAPage.Execute(&buf, map[string]any{"Deal": d, "C": c, "Gross": gross, "Brokerage": o.Name, "Currency": o.Currency})
	return buf.String(), err
}

// CommissionAuthorization returns the disbursement authorisation generated
// when the deal closed (a printable HTML page). Errors: Forbidden without
// deal.read; NotFound for a deal the actor may not see, or one not closed
// with its commission.
func (s *Service) CommissionAuthorization(ctx context.Context, actor realty.Actor, dealID realty.ID) (string, error) {
	if err := actor.Require("deal.read"); err != nil {
		return "", err
	}
	var page *string
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT cda_html FROM deal.commissions WHERE organization_id = $1 AND deal_id = $2`, actor.OrgID, dealID).Scan(&page)
		return notFound(err, "commission")
	})
	if err == nil && page == nil {
		err = &realty.Error{Kind: realty.NotFound, Message: "the disbursement authorisation is generated when the deal closes"}
	}
	if err != nil {
		return "", err
	}
	return *page, nil
}
