package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"realty"
	"realty/internal/config"
	"realty/internal/listing"
)

// importArgs are the arguments of `realty import reso`.
type importArgs struct {
	slug, file, rejects string
	opt                 listing.ImportOptions
}

// runImport imports listings: `realty import reso --org SLUG FILE
// [--source NAME] [--rejects FILE]`, as System for the organization. It
// prints a summary; rejected rows go to the rejects file, else the first
// ten to stderr.
func runImport(ctx context.Context, e env) error {
	a, cfg, err := importFlags(e)
	if err != nil {
		return err
	}
	f, err := os.Open(a.file)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	orgID, err := orgBySlug(ctx, s.db.adminURL, a.slug)
	if err != nil {
		return err
	}
	rejects, finish, err := rejectSink(e, a.rejects)
	if err != nil {
		return err
	}
	bar := newProgressBar(e.stderr, f, a.opt.Format)
	a.opt.OnReject, a.opt.Progress = rejects, bar.update
	res, err := s.svc.Listing.ImportFile(ctx, realty.System(orgID), f, a.opt)
	bar.done()
	err = errors.Join(err, finish())
	printSummary(e.stdout, a.file, res)
	return err
}

func importFlags(e env) (importArgs, config.Config, error) {
	var a importArgs
	if len(e.args) == 0 || e.args[0] != "reso" {
		return a, config.Config{}, usageErr("want: import reso --org SLUG FILE [--source NAME] [--rejects FILE]")
	}
	fs := e.flags("import reso")
	fs.StringVar(&a.slug, "org", "", "slug of the organization to import into (required)")
	fs.StringVar(&a.opt.Source, "source", "", "OriginatingSystemName of rows that carry none")
	fs.StringVar(&a.rejects, "rejects", "", "write rejected rows here, as JSON lines: row, listing_key, reason")
	fs.StringVar(&a.opt.Format, "format", "", "json, jsonl or csv (default: from the file name and contents)")
	fs.IntVar(&a.opt.BatchSize, "batch-size", listing.DefaultBatchSize, "rows per transaction")
	fs.IntVar(&a.opt.Lanes, "lanes", 0, "transactions writing at once (default: one per core, at most 2)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: realty import reso --org SLUG FILE [flags]\n\nImports a RESO Property payload: "+
			`OData JSON ({"value": [...]}), JSON lines, or CSV with RESO field names in its header row.`)
		fs.PrintDefaults()
	}
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return a, cfg, err
	}
	cfg.BindFlags(fs, "data-dir")
	if a.file, err = interspersed(fs, e.args[1:]); err != nil {
		return a, cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return a, cfg, err
	}
	if a.slug == "" || a.file == "" {
		return a, cfg, usageErr("--org and a FILE are required")
	}
	a.opt.Name = a.file
	return a, cfg, nil
}

// interspersed parses flags before and after the one positional argument
// (FILE), which Go's flag package alone stops at.
func interspersed(fs *flag.FlagSet, args []string) (string, error) {
	var positional []string
	for {
		if err := parse(fs, args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 1 {
		return "", usageErr("one FILE at a time, got %s", strings.Join(positional, " "))
	}
	if len(positional) == 0 {
		return "", nil
	}
	return positional[0], nil
}

// rejectSink returns where rejects go: the rejects file as JSON lines when
// named, else the first ten to stderr. finish flushes and closes the file.
func rejectSink(e env, path string) (func(listing.Reject), func() error, error) {
	if path == "" {
		shown := 0
		return func(r listing.Reject) {
			if shown++; shown <= 10 {
				fmt.Fprintf(e.stderr, "rejected row %d (%s): %s\n", r.Row, r.ListingKey, r.Reason)
			}
		}, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("rejects file: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	var werr error
	return func(r listing.Reject) {
			if werr == nil {
				werr = enc.Encode(r)
			}
		}, func() error {
			return errors.Join(werr, w.Flush(), f.Close())
		}, nil
}

func printSummary(w io.Writer, file string, r listing.ImportResult) {
	fmt.Fprintf(w, "%s (%s): %d rows: %d inserted, %d updated, %d unchanged, %d rejected in %s (%.0f rows/s)\n",
		file, r.Format, r.Total, r.Inserted, r.Updated, r.Unchanged, r.Rejected, r.Elapsed.Round(time.Millisecond), r.RowsPerSecond())
}

// progressBar draws rows done / total and the rate on a terminal, at most
// ten times a second; it draws nothing when stderr is not a terminal.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	total int // 0: unknown
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, f *os.File, format string) *progressBar {
	tty, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := tty.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressBar{w: w, total: countRecords(f, format), start: time.Now()}
}

// countRecords counts a CSV or JSON lines file's lines (less the header)
// for the bar's total, and rewinds the file; 0 when it cannot tell.
func countRecords(f *os.File, format string) int {
	if format == "" {
		head := make([]byte, 64<<10)
		n, _ := f.Read(head)
		format, _ = listing.DetectFormat(f.Name(), head[:n])
	}
	defer func() { _, _ = f.Seek(0, io.SeekStart) }()
	if format != listing.FormatCSV && format != listing.FormatJSONL {
		return 0
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0
	}
	lines, buf := 0, make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if err != nil {
			break
		}
	}
	if format == listing.FormatCSV {
		lines--
	}
	return max(lines, 0)
}

func (p *progressBar) update(rows int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.drawn = now, true
	rate := float64(rows) / now.Sub(p.start).Seconds()
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%d rows  %.0f rows/s   ", rows, rate)
		return
	}
	const width = 30
	filled := min(width, rows*width/p.total)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d/%d rows  %.0f rows/s   ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		min(100, rows*100/p.total), rows, p.total, rate)
}

// done ends the bar's line.
func (p *progressBar) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
