package listing

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// importBatch is what one transaction writes: valid rows, and the rejects
// among the same stretch of the file.
type importBatch struct {
	rows     []importRow
	rejects  []Reject
	records  int
	seen     map[string]bool // the rows' origin and listing keys
	lanes    uint64          // address lanes of the rows (bit per lane)
	copyData []byte          // the rows in COPY text format
}

// pipeline runs one import. A reader goroutine validates records into
// batches and routes each row to a lane by its address; each lane's writer
// commits its batches in order, so the database works on several batches
// at once. Two rules keep lanes from racing each other:
//   - a listing (by origin or listing key) still in flight in a lane goes
//     to that lane again, so one listing's rows apply in file order;
//   - a batch holds, for its whole transaction, an advisory lock per
//     address lane of its rows (taken in ascending order, so no deadlock),
//     so two transactions never create the same address's property.
type pipeline struct {
	s     *Service
	actor realty.Actor
	opt   ImportOptions
	size  int
	lanes []chan *importBatch

	mu     sync.Mutex
	window []map[string]int // per lane: keys of rows not yet committed
	res    *ImportResult
}

func (s *Service) runBatches(ctx context.Context, actor realty.Actor, rr recordReader, lk *importLookups, opt ImportOptions,
	res *ImportResult) error {
	n := opt.Lanes
	if n <= 0 {
		n = min(DefaultLanes, runtime.GOMAXPROCS(0))
	}
	p := &pipeline{s: s, actor: actor, opt: opt, size: cmpOr(opt.BatchSize, DefaultBatchSize), res: res,
		lanes: make([]chan *importBatch, min(n, 8)), window: make([]map[string]int, min(n, 8))}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(p.lanes)+1)
	var wg sync.WaitGroup
	for l := range p.lanes {
		p.lanes[l], p.window[l] = make(chan *importBatch, 1), map[string]int{}
		wg.Go(func() {
			if errs[l] = p.write(ctx, p.lanes[l]); errs[l] != nil {
				cancel()
				for range p.lanes[l] { // let the reader finish
				}
			}
		})
	}
	errs[len(p.lanes)] = p.read(ctx, rr, lk)
	for _, c := range p.lanes {
		close(c)
	}
	wg.Wait()
	for _, err := range errs[:len(p.lanes)] {
		if err != nil {
			return err // a writer's failure, not the cancellation it caused
		}
	}
	return errs[len(p.lanes)]
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// read validates records into per-lane batches. A batch ends at size
// records, or early when a listing repeats within it, so a file naming a
// listing twice applies both rows in order.
func (p *pipeline) read(ctx context.Context, rr recordReader, lk *importLookups) error {
	rd := &batcher{p: p, ctx: ctx, building: make([]*importBatch, len(p.lanes))}
	for l := range rd.building {
		rd.building[l] = p.newBatch()
	}
	for {
		rec, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := rd.take(rec, lk); err != nil {
			return err
		}
	}
	for l, b := range rd.building {
		if b.records > 0 {
			if err := rd.send(l); err != nil {
				return err
			}
		}
	}
	return nil
}

// batcher fills one batch per lane and hands full ones to the lanes.
type batcher struct {
	p        *pipeline
	ctx      context.Context
	building []*importBatch
}

// take validates a record into its lane's batch, or rejects it (a reject
// rides with the first lane's batch).
func (rd *batcher) take(rec *record, lk *importLookups) error {
	l := 0
	if row, err := parseRow(rec, lk); rec.bad != "" || err != nil {
		rd.building[0].rejects = append(rd.building[0].rejects, rejectOf(rec, err))
	} else {
		l = rd.p.route(&row)
		if b := rd.building[l]; b.seen[row.originKey()] || b.seen[row.listingKeyKey()] {
			if err := rd.send(l); err != nil {
				return err
			}
		}
		rd.building[l].add(row)
	}
	if rd.building[l].records++; rd.building[l].records >= rd.p.size {
		return rd.send(l)
	}
	return nil
}

// send encodes a lane's batch for COPY and hands it over, waiting while
// the lane is busy.
func (rd *batcher) send(l int) error {
	b := rd.building[l]
	b.copyData = encodeCopy(b.rows)
	select {
	case rd.p.lanes[l] <- b:
	case <-rd.ctx.Done():
		return rd.ctx.Err()
	}
	rd.building[l] = rd.p.newBatch()
	return nil
}

func (p *pipeline) newBatch() *importBatch {
	return &importBatch{rows: make([]importRow, 0, min(p.size, 1024)), seen: map[string]bool{}}
}

func (b *importBatch) add(row importRow) {
	row.seq = len(b.rows)
	b.rows = append(b.rows, row)
	b.seen[row.originKey()], b.seen[row.listingKeyKey()] = true, true
	b.lanes |= 1 << row.addrLane
}

func (r *importRow) originKey() string     { return "o" + r.osn + "\x00" + r.osk }
func (r *importRow) listingKeyKey() string { return "k" + r.listingKey }

// route picks a row's lane: the lane where its listing is still in flight,
// else its address's lane.
func (p *pipeline) route(r *importRow) int {
	h := fnv.New32a()
	for _, part := range []string{r.street, r.city, deref(r.postal)} {
		h.Write([]byte(strings.ToLower(part)))
		h.Write([]byte{0})
	}
	r.addrLane = int(h.Sum32() % uint32(len(p.lanes)))
	p.mu.Lock()
	defer p.mu.Unlock()
	l := r.addrLane
	for i, w := range p.window {
		if w[r.originKey()] > 0 || w[r.listingKeyKey()] > 0 {
			l = i
			break
		}
	}
	p.window[l][r.originKey()]++
	p.window[l][r.listingKeyKey()]++
	return l
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// write commits a lane's batches in order.
func (p *pipeline) write(ctx context.Context, batches <-chan *importBatch) error {
	for b := range batches {
		counts, rejects, err := p.writeBatch(ctx, b)
		if err != nil {
			return fmt.Errorf("import rows %d–%d: %w", firstRow(b), lastRow(b), err)
		}
		p.done(b, counts, rejects)
	}
	return nil
}

// done counts a committed batch, reports its rejects in row order, and
// takes its rows out of the lanes' window.
func (p *pipeline) done(b *importBatch, c mergeCounts, dbRejects []Reject) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rejects := append(b.rejects, dbRejects...)
	slices.SortFunc(rejects, func(a, b Reject) int { return a.Row - b.Row })
	for _, rj := range rejects {
		p.res.Rejected++
		if len(p.res.Rejects) < MaxRejects {
			p.res.Rejects = append(p.res.Rejects, rj)
		}
		if p.opt.OnReject != nil {
			p.opt.OnReject(rj)
		}
	}
	p.res.Total += b.records
	p.res.Inserted += c.inserted
	p.res.Updated += c.updated
	for i := range b.rows {
		for _, k := range []string{b.rows[i].originKey(), b.rows[i].listingKeyKey()} {
			for _, w := range p.window {
				if w[k] > 0 {
					if w[k]--; w[k] == 0 {
						delete(w, k)
					}
					break
				}
			}
		}
	}
	if p.opt.Progress != nil {
		p.opt.Progress(p.res.Total)
	}
}

// writeBatch stages a batch with COPY and merges it, in one transaction,
// holding its address lanes' locks.
func (p *pipeline) writeBatch(ctx context.Context, b *importBatch) (mergeCounts, []Reject, error) {
	var counts mergeCounts
	var rejects []Reject
	if len(b.rows) == 0 {
		return counts, nil, nil
	}
	err := postgres.Tx(ctx, p.s.pool, p.actor, func(tx pgx.Tx) error {
		counts, rejects = mergeCounts{}, nil
		if err := p.lockLanes(ctx, tx, b.lanes); err != nil {
			return err
		}
		// JIT compiling pays off for long analytic queries, not for these; the
		// index keeps the update's join a lookup per row whichever side the
		// planner drives it from.
		if _, err := tx.Exec(ctx, "SET LOCAL jit = off; "+createStaging+"; CREATE INDEX ON pg_temp.import_rows (target_id)"); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
		if err := copyBatch(ctx, tx, b, p.tick()); err != nil {
			return err
		}
		// Statistics (the row count, and that no row is matched yet) let the
		// planner hash-join the batch instead of looping over it (p_id: no row
		// has been given a property yet).
		if _, err := tx.Exec(ctx, "ANALYZE pg_temp.import_rows (seq, target_id, property_id, p_id)"); err != nil {
			return fmt.Errorf("analyze staging table: %w", err)
		}
		return mergeRange(ctx, tx, p.actor, b.rows, 0, len(b.rows), &counts, func(r Reject) { rejects = append(rejects, r) })
	})
	return counts, rejects, err
}

// lockLanes takes the transaction-scoped advisory locks of the address
// lanes a batch touches, in ascending order.
func (p *pipeline) lockLanes(ctx context.Context, tx pgx.Tx, lanes uint64) error {
	if len(p.lanes) == 1 {
		return nil
	}
	for l := range len(p.lanes) {
		if lanes&(1<<l) == 0 {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "realty.listing.import/%s/%d", p.actor.OrgID, l)
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
			return fmt.Errorf("lock address lane: %w", err)
		}
	}
	return nil
}

// tick reports COPY progress: rows committed plus rows being copied.
func (p *pipeline) tick() func(int) {
	if p.opt.Progress == nil {
		return nil
	}
	return func(copied int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.opt.Progress(p.res.Total + copied)
	}
}

func firstRow(b *importBatch) int {
	if len(b.rows) > 0 {
		return b.rows[0].row
	}
	return 0
}

func lastRow(b *importBatch) int {
	if len(b.rows) > 0 {
		return b.rows[len(b.rows)-1].row
	}
	return 0
}
