package listing

import (
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// SummaryTargets exposes the positional scan destinations to tests.
func (s *Summary) SummaryTargets() []any { return s.summaryTargets() }

// DecodeSummaryRow decodes the current row from its wire bytes, reporting
// whether the fast path took it.
func DecodeSummaryRow(rows pgx.Rows) (Summary, bool) {
	var s Summary
	ok := decodeSummary(s.summaryTargets(), rows.FieldDescriptions(), rows.RawValues())
	return s, ok
}

// ScanSummaryRow reads the current row through pgx's Scan alone.
func ScanSummaryRow(rows pgx.Rows) (Summary, error) {
	var s Summary
	err := rows.Scan(s.summaryTargets()...)
	return s, err
}

// CreateStaging is the statement that makes an import batch's staging table.
var CreateStaging = createStaging

// MergeStep is one statement of an import merge, in order.
type MergeStep struct {
	SQL    string
	Ranged bool // takes the organization and a range of staged rows
}

// MergeSteps lists the statements a merge of one range sends itself, in
// order (property.EnsureByAddressTx sends its own between them).
func MergeSteps() []MergeStep {
	var out []MergeStep
	for _, st := range slices.Concat(mergeBefore, mergeAfter) {
		out = append(out, MergeStep{SQL: st.sql, Ranged: st.ranged && !st.staged}) // staged steps read no organization table
	}
	return out
}

// SetClock makes the service read the time from now.
func SetClock(s *Service, now func() time.Time) { s.now = now }
