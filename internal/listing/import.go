package listing

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// DefaultBatchSize is how many rows an import writes per transaction: large
// enough that set-based statements pay off, small enough that memory stays
// flat and a failure loses little.
const DefaultBatchSize = 10_000

// MaxRejects is how many rejects an ImportResult keeps (all of them go to
// ImportOptions.OnReject).
const MaxRejects = 1000

// DefaultLanes is the most transactions an import writes in at once by
// default: the database's per-row work (triggers, indexes) runs on one
// core per connection.
const DefaultLanes = 2

// ImportOptions configure one import.
type ImportOptions struct {
	// Format is json, jsonl or csv; empty detects it from Name and the
	// contents (DetectFormat).
	Format string
	Name   string
	// Source is the OriginatingSystemName of rows that do not carry one.
	Source string
	// BatchSize is rows per transaction; 0 means DefaultBatchSize.
	BatchSize int
	// Lanes is how many transactions write batches at once; 0 means one
	// per core, at most DefaultLanes.
	Lanes int
	// Progress, when set, is called often with the rows processed so far.
	Progress func(rows int)
	// OnReject, when set, receives every rejected row.
	OnReject func(Reject)
}

// Reject is a row an import refused, and why.
type Reject struct {
	Row        int    `json:"row" doc:"line in a CSV or JSON lines file (the CSV header is line 1); position in a JSON value array"`
	ListingKey string `json:"listing_key,omitempty"`
	Reason     string `json:"reason" doc:"the RESO field at fault and why"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Format    string        `json:"format"`
	Total     int           `json:"total" doc:"rows read"`
	Inserted  int           `json:"inserted"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Rejected  int           `json:"rejected"`
	Rejects   []Reject      `json:"rejects" doc:"the first 1,000"`
	Elapsed   time.Duration `json:"-"`
}

// RowsPerSecond is the import's throughput.
func (r ImportResult) RowsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Total) / r.Elapsed.Seconds()
}

// ImportFile imports a RESO Property payload (see docs/import.md): each
// listing is inserted when new to the organization, updated in the fields
// that changed when its (OriginatingSystemName, OriginatingSystemKey) was
// imported before, and left alone when unchanged, so importing a file again
// writes nothing. Each new listing's property is found by address or
// created. Rows are validated first and a bad one is rejected with its
// reason; the others go in, batch by batch, each batch in one transaction.
// Forbidden without listing.import or with a property scope; Invalid
// naming "file" or "format" when the file cannot be read as its format.
// Rows committed before an error stay imported; importing again is safe.
func (s *Service) ImportFile(ctx context.Context, actor realty.Actor, r io.Reader, opt ImportOptions) (ImportResult, error) {
	start := time.Now()
	if err := actor.Require("listing.import"); err != nil {
		return ImportResult{}, err
	}
	if actor.PropertyScope != nil {
		return ImportResult{}, &realty.Error{Kind: realty.Forbidden, Message: "imports need access to every property of the organization"}
	}
	lk, err := s.importLookups(ctx, actor, opt.Source)
	if err != nil {
		return ImportResult{}, err
	}
	br := bufio.NewReaderSize(r, sniffBytes)
	if opt.Format == "" {
		head, _ := br.Peek(sniffBytes)
		if opt.Format, err = DetectFormat(opt.Name, head); err != nil {
			return ImportResult{}, err
		}
	}
	rr, err := newRecordReader(br, opt.Format)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Format: opt.Format, Rejects: []Reject{}}
	err = s.runBatches(ctx, actor, rr, lk, opt, &res)
	if res.Inserted+res.Updated > 0 {
		err = errors.Join(err, postgres.Tx(context.WithoutCancel(ctx), s.pool, actor, func(tx pgx.Tx) error {
			return s.announceImport(ctx, tx, actor.OrgID)
		}))
	}
	slices.SortFunc(res.Rejects, func(a, b Reject) int { return a.Row - b.Row })
	res.Unchanged = res.Total - res.Inserted - res.Updated - res.Rejected
	res.Elapsed = time.Since(start)
	return res, err
}

// importLookups loads what rows map onto: the MLS status mapping, and the
// active members by e-mail (from org) for the rows' agents.
func (s *Service) importLookups(ctx context.Context, actor realty.Actor, source string) (*importLookups, error) {
	lk := &importLookups{statuses: map[string]string{}, source: strings.TrimSpace(source)}
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var local, standard string
		_, err := pgx.ForEachRow(rows, []any{&local, &standard}, func() error {
			lk.statuses[local] = standard
			if _, taken := lk.statuses[strings.ToLower(local)]; !taken {
				lk.statuses[strings.ToLower(local)] = standard
			}
			return nil
		})
		return err
	}, `SELECT mls_status, standard_status::text FROM listing.mls_statuses WHERE organization_id = $1`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	lk.agents, err = s.orgs.MemberEmails(ctx, actor)
	return lk, err
}
