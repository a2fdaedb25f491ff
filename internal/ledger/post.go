package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Entry is a posting: what PostTx takes.
type Entry struct {
	// Date is the accounting date; nil dates the entry today in the
	// organization's time zone.
	Date *realty.Date
	Memo string
	// SourceType and SourceID name the subledger row that caused the entry
	// ("invoice", its id); a source has at most one entry. Empty SourceType
	// means a manual entry.
	SourceType string
	SourceID   *realty.ID
	Lines      []Line
}

// Line is one side of a posting: an account (by id, or by system key for
// the accounts realty posts to itself), a debit or a credit, and the
// dimensions it concerns.
type Line struct {
	AccountID  realty.ID
	SystemKey  string
	Debit      decimal.Decimal
	Credit     decimal.Decimal
	PropertyID *realty.ID
	UnitID     *realty.ID
	LeaseID    *realty.ID
	TenantID   *realty.ID
	Memo       string
}

// JournalEntry is a posted entry with its lines.
type JournalEntry struct {
	ID         realty.ID     `db:"id" json:"id"`
	EntryDate  realty.Date   `db:"entry_date" json:"entry_date"`
	PostedAt   time.Time     `db:"posted_at" json:"posted_at"`
	Memo       *string       `db:"memo" json:"memo,omitempty"`
	SourceType string        `db:"source_type" json:"source_type"`
	SourceID   *realty.ID    `db:"source_id" json:"source_id,omitempty"`
	Reverses   *realty.ID    `db:"reverses" json:"reverses,omitempty" doc:"the entry this one reverses"`
	ReversedBy *realty.ID    `db:"reversed_by" json:"reversed_by,omitempty" doc:"the entry reversing this one"`
	CreatedBy  *realty.ID    `db:"created_by" json:"created_by,omitempty"`
	Lines      []JournalLine `db:"-" json:"lines"`
}

// JournalLine is one line of a posted entry.
type JournalLine struct {
	EntryID    realty.ID  `db:"entry_id" json:"-"`
	LineNo     int        `db:"line_no" json:"line_no"`
	AccountID  realty.ID  `db:"account_id" json:"account_id"`
	Debit      Money      `db:"debit" json:"debit"`
	Credit     Money      `db:"credit" json:"credit"`
	PropertyID *realty.ID `db:"property_id" json:"property_id,omitempty"`
	UnitID     *realty.ID `db:"unit_id" json:"unit_id,omitempty"`
	LeaseID    *realty.ID `db:"lease_id" json:"lease_id,omitempty"`
	TenantID   *realty.ID `db:"tenant_id" json:"tenant_id,omitempty"`
	Memo       *string    `db:"memo" json:"memo,omitempty"`
}

// Post records a manual journal entry in its own transaction. Forbidden
// without ledger.post; otherwise as PostTx.
func (s *Service) Post(ctx context.Context, actor realty.Actor, e Entry) (JournalEntry, error) {
	var out JournalEntry
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.PostManualTx(ctx, tx, actor, e)
		return err
	})
	return out, err
}

// PostManualTx is Post inside the caller's transaction (an idempotent
// request's): Forbidden without ledger.post, then PostTx.
func (s *Service) PostManualTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Entry) (JournalEntry, error) {
	if err := actor.Require("ledger.post"); err != nil {
		return JournalEntry{}, err
	}
	return s.PostTx(ctx, tx, actor, e)
}

// PostTx writes entry e in the caller's transaction tx: the one way journal
// rows are written. It checks no permission (the calling use case has
// checked its own). Invalid names the field at fault (fewer than two lines,
// a line with both or neither side, amounts past the cent or the column,
// debits unequal to credits, an unknown or inactive account); Conflict
// names the period when the date falls in a closed one, or the source when
// it already has an entry. The database checks balance again at commit.
func (s *Service) PostTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Entry) (JournalEntry, error) {
	id, err := s.post(ctx, tx, actor, e)
	if err != nil {
		return JournalEntry{}, err
	}
	return entryTx(ctx, tx, actor, id)
}

// post is PostTx returning only the new entry's id, for the postings of
// the ledger's own use cases, which answer with their subledger rows and
// need not read the entry back.
func (s *Service) post(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Entry) (realty.ID, error) {
	if err := validate(e); err != nil {
		return realty.ID{}, err
	}
	date, err := s.entryDate(ctx, tx, actor, e.Date)
	if err != nil {
		return realty.ID{}, err
	}
	if err := resolveAccounts(ctx, tx, actor, e.Lines); err != nil {
		return realty.ID{}, err
	}
	return insertEntry(ctx, tx, actor, e, date, nil)
}

// entryDate is d, or today in the organization's time zone.
func (s *Service) entryDate(ctx context.Context, tx pgx.Tx, actor realty.Actor, d *realty.Date) (realty.Date, error) {
	if d != nil {
		return *d, nil
	}
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return realty.Date{}, err
	}
	return AccountingDate(s.now(), o.TimeZone)
}

// AccountingDate is the calendar day instant t falls on in time zone tz.
func AccountingDate(t time.Time, tz string) (realty.Date, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return realty.Date{}, fmt.Errorf("organization time zone %q: %w", tz, err)
	}
	return realty.DateOf(t.In(loc)), nil
}

func validate(e Entry) error {
	if len(e.Lines) < 2 {
		return realty.FieldError("lines", "an entry needs at least two lines")
	}
	if len(e.Lines) > 500 {
		return realty.FieldError("lines", "an entry has at most 500 lines")
	}
	if len(e.Memo) > 500 {
		return realty.FieldError("memo", "must be at most 500 characters")
	}
	var dr, cr decimal.Decimal
	for i, l := range e.Lines {
		if err := validateLine(i, l); err != nil {
			return err
		}
		dr, cr = dr.Add(l.Debit), cr.Add(l.Credit)
	}
	if !dr.Equal(cr) {
		return realty.FieldError("lines", fmt.Sprintf("debits %s must equal credits %s", dr.StringFixed(2), cr.StringFixed(2)))
	}
	return nil
}

func validateLine(i int, l Line) error {
	field := fmt.Sprintf("lines[%d]", i)
	for side, v := range map[string]decimal.Decimal{"debit": l.Debit, "credit": l.Credit} {
		switch {
		case v.IsNegative():
			return realty.FieldError(field+"."+side, "must not be negative")
		case !v.Equal(v.Round(2)):
			return realty.FieldError(field+"."+side, "must be in whole cents")
		case v.GreaterThanOrEqual(maxAmount):
			return realty.FieldError(field+"."+side, "must be below 1,000,000,000,000")
		}
	}
	if l.Debit.IsPositive() == l.Credit.IsPositive() {
		return realty.FieldError(field+".debit", "exactly one of debit and credit is positive")
	}
	if (l.AccountID.IsZero()) == (l.SystemKey == "") {
		return realty.FieldError(field+".account_id", "name the account")
	}
	if len(l.Memo) > 500 {
		return realty.FieldError(field+".memo", "must be at most 500 characters")
	}
	return nil
}

// resolveAccounts fills each line's account id from its system key and
// refuses an unknown or inactive account, naming the line.
func resolveAccounts(ctx context.Context, tx pgx.Tx, actor realty.Actor, lines []Line) error {
	ids, keys := make([]realty.ID, len(lines)), make([]string, len(lines))
	for i, l := range lines {
		ids[i], keys[i] = l.AccountID, l.SystemKey
	}
	rows, err := tx.Query(ctx, `SELECT l.n, a.id, a.active FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY l(id, key, n)
		LEFT JOIN ledger.accounts a ON a.organization_id = $1 AND (a.id = l.id OR a.system_key = nullif(l.key, ''))`, actor.OrgID, ids, keys)
	if err != nil {
		return err
	}
	type found struct {
		N      int        `db:"n"`
		ID     *realty.ID `db:"id"`
		Active *bool      `db:"active"`
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[found])
	if err != nil {
		return err
	}
	for _, f := range got {
		field := fmt.Sprintf("lines[%d].account_id", f.N-1)
		if f.ID == nil {
			return realty.FieldError(field, "no such account")
		}
		if !*f.Active {
			return realty.FieldError(field, "the account is inactive")
		}
		lines[f.N-1].AccountID = *f.ID
	}
	return nil
}

// insertEntry writes the entry and its lines in one round trip (the entry,
// then all its lines in one statement, pipelined) and returns the entry's
// id; Conflict naming the period when the date falls in a closed one.
func insertEntry(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Entry, date realty.Date, reverses *realty.ID) (realty.ID, error) {
	b := &pgx.Batch{}
	id := queueEntry(ctx, b, actor, e, date, reverses)
	return id, tx.SendBatch(ctx, b).Close()
}

// queueEntry queues insertEntry's two statements on b, for a caller that
// sends them with its own, and returns the entry's id. The lines' accounts
// are resolved. Reading b's results fails Conflict naming the period when
// the date falls in a closed one.
func queueEntry(ctx context.Context, b *pgx.Batch, actor realty.Actor, e Entry, date realty.Date, reverses *realty.ID) realty.ID {
	id := realty.NewID()
	source := e.SourceType
	if source == "" {
		source = "manual"
	}
	var by *realty.ID
	if !actor.UserID.IsZero() {
		by = &actor.UserID
	}
	b.Queue(`INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id, reverses, created_by, request_id)
		VALUES ($1, $2, $3, nullif($4, ''), $5, $6, $7, $8, nullif($9, ''))`,
		actor.OrgID, id, date, e.Memo, source, e.SourceID, reverses, by, requestID(ctx)).Fn = func(br pgx.BatchResults) error {
		_, err := br.Exec()
		return periodError(err, date)
	}
	n := len(e.Lines)
	ids, accounts := make([]realty.ID, n), make([]realty.ID, n)
	debits, credits, memos := make([]decimal.Decimal, n), make([]decimal.Decimal, n), make([]string, n)
	props, units, leases, tenants := make([]*realty.ID, n), make([]*realty.ID, n), make([]*realty.ID, n), make([]*realty.ID, n)
	for i, l := range e.Lines {
		ids[i], accounts[i], debits[i], credits[i], memos[i] = realty.NewID(), l.AccountID, l.Debit, l.Credit, l.Memo
		props[i], units[i], leases[i], tenants[i] = l.PropertyID, l.UnitID, l.LeaseID, l.TenantID
	}
	b.Queue(`INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit,
			property_id, unit_id, lease_id, tenant_id, memo)
		SELECT $1, l.id, $2, $3, l.n, l.account_id, l.debit, l.credit, l.property_id, l.unit_id, l.lease_id, l.tenant_id, nullif(l.memo, '')
		FROM unnest($4::uuid[], $5::uuid[], $6::numeric[], $7::numeric[], $8::uuid[], $9::uuid[], $10::uuid[], $11::uuid[], $12::text[])
			WITH ORDINALITY AS l (id, account_id, debit, credit, property_id, unit_id, lease_id, tenant_id, memo, n)`,
		actor.OrgID, id, date, ids, accounts, debits, credits, props, units, leases, tenants, memos)
	return id
}

// requestID is the context's request id when the column can hold it.
func requestID(ctx context.Context) string {
	if id := realty.RequestID(ctx); len(id) <= 64 {
		return id
	}
	return ""
}

// periodError turns the database's refusal of a closed period into a
// Conflict naming it.
func periodError(err error, date realty.Date) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.ConstraintName == "journal_entries_period_open" {
		return errPeriodClosed(date)
	}
	return err
}

func errPeriodClosed(d realty.Date) error {
	p := d.Time().Format("2006-01")
	return &realty.Error{Kind: realty.Conflict, Message: "period " + p + " is closed", Fields: map[string]string{"entry_date": "period " + p + " is closed"}}
}
