package deal

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// MergeFields are the fields a contract template may name as {{field}}. A
// template is plain text: a merge field is replaced by its value as text and
// nothing else in the body is interpreted, so a template can neither run
// code nor reach data other than these values.
var MergeFields = []string{
	"deal.title", "deal.kind", "deal.side", "deal.price", "deal.contract_date", "deal.expected_close",
	"buyer.name", "buyer.email", "seller.name", "seller.email",
	"property.address", "agent.name", "agent.email", "today",
}

// contractBlank stands for a value the deal does not have yet: a line to
// fill in by hand, as on a paper form.
const contractBlank = "______________"

var (
	mergeField   = regexp.MustCompile(`\{\{\s*([a-z_.]*)\s*\}\}`)
	contractOpen = regexp.MustCompile(`\{\{|\}\}`)
)

// CheckMergeFields returns Invalid naming body when body names a merge
// field that is not in MergeFields, or holds a {{ or }} that opens or
// closes none.
func CheckMergeFields(body string) error {
	for _, m := range mergeField.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(MergeFields, m[1]) {
			return realty.FieldError("body", "unknown merge field {{"+m[1]+"}}; known fields: "+strings.Join(MergeFields, ", "))
		}
	}
	if contractOpen.MatchString(mergeField.ReplaceAllString(body, "")) {
		return realty.FieldError("body", "has a {{ or }} that is not a merge field such as {{deal.price}}")
	}
	return nil
}

// mergeContract replaces every merge field of body by its value (a blank
// line when the deal has none).
func mergeContract(body string, values map[string]string) string {
	return mergeField.ReplaceAllStringFunc(body, func(m string) string {
		name := mergeField.FindStringSubmatch(m)[1]
		if v := values[name]; v != "" {
			return v
		}
		return contractBlank
	})
}

// contractValues gathers the merge fields' values for deal d.
func (c *Contracts) contractValues(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal) (map[string]string, error) {
	v := map[string]string{
		"deal.title": d.Title, "deal.kind": d.Kind, "deal.side": d.Side,
		"today": realty.DateOf(c.now().UTC()).String(),
	}
	if d.Price != nil {
		v["deal.price"] = contractMoney(*d.Price)
	}
	if d.ContractDate != nil {
		v["deal.contract_date"] = d.ContractDate.String()
	}
	if d.ExpectedClose != nil {
		v["deal.expected_close"] = d.ExpectedClose.String()
	}
	if d.PropertyID != nil {
		p, err := property.GetTx(ctx, tx, realty.System(actor.OrgID), *d.PropertyID)
		if err != nil {
			return nil, err
		}
		v["property.address"] = strings.Join(contractNonEmpty(p.AddressLine1, p.City, contractDeref(p.PostalCode)), ", ")
	}
	if d.AgentID != nil {
		if m, err := c.org.Member(ctx, realty.System(actor.OrgID), *d.AgentID); err == nil {
			v["agent.name"], v["agent.email"] = strings.TrimSpace(m.FirstName+" "+m.LastName), m.Email
		}
	}
	return v, c.partyValues(ctx, tx, actor, d.ID, v)
}

// partyValues fills buyer.* and seller.* from the deal's participants:
// several buyers are joined with "and".
func (c *Contracts) partyValues(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID, v map[string]string) error {
	type party struct {
		Role     string     `db:"role"`
		Name     *string    `db:"name"`
		Email    *string    `db:"email"`
		ClientID *realty.ID `db:"client_id"`
		MemberID *realty.ID `db:"member_id"`
	}
	rows, err := tx.Query(ctx, `SELECT role, name, email, client_id, member_id FROM deal.deal_participants
		WHERE organization_id = $1 AND deal_id = $2 AND role IN ('buyer', 'seller') ORDER BY created_at, id`, actor.OrgID, dealID)
	if err != nil {
		return err
	}
	parties, err := pgx.CollectRows(rows, pgx.RowToStructByName[party])
	if err != nil {
		return err
	}
	names, emails := map[string][]string{}, map[string][]string{}
	sys := realty.System(actor.OrgID)
	for _, p := range parties {
		name, email := contractDeref(p.Name), contractDeref(p.Email)
		switch {
		case p.ClientID != nil:
			if cl, err := c.crm.Get(ctx, sys, *p.ClientID); err == nil {
				name, email = strings.TrimSpace(cl.FirstName+" "+cl.LastName), contractDeref(cl.Email)
			}
		case p.MemberID != nil:
			if m, err := c.org.Member(ctx, sys, *p.MemberID); err == nil {
				name, email = strings.TrimSpace(m.FirstName+" "+m.LastName), m.Email
			}
		}
		names[p.Role], emails[p.Role] = append(names[p.Role], contractNonEmpty(name)...), append(emails[p.Role], contractNonEmpty(email)...)
	}
	for _, role := range []string{"buyer", "seller"} {
		v[role+".name"], v[role+".email"] = strings.Join(names[role], " and "), strings.Join(emails[role], ", ")
	}
	return nil
}

// contractMoney writes an amount with thousands separators: 425,000.00.
func contractMoney(d decimal.Decimal) string {
	s := d.StringFixed(2)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + frac
	if neg {
		return "-" + out
	}
	return out
}

func contractNonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func contractDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
