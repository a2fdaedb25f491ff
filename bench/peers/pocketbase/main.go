// Command pbbench is PocketBase, embedded as a framework, for realty's
// benchmark (bench/peer_pocketbase.go): the normal PocketBase commands
// (serve, superuser) plus
//
//	pbbench load --dir DIR --csv FILE
//
// which makes the `listings` collection in DIR and fills it with the
// exported listings in FILE (a header row of the benchmark's ExportColumns,
// then PostgreSQL COPY … CSV rows), with one user of the built-in `users`
// auth collection per organization. A load is skipped when DIR already holds
// a load of a file of the same size and modification time. See README.md.
package main

import (
	"bufio"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cobra"
)

const (
	// loaderVersion changes whenever the loaded schema or data changes, so
	// that an older load is not reused.
	loaderVersion = 1
	// markerName is the file in the data directory describing its load.
	markerName = "pbbench-load.json"
	// UserDomain ends the e-mail of each organization's user:
	// <organization id>@pocketbase-bench.example.com.
	userDomain = "@pocketbase-bench.example.com"
	// userPassword is every organization user's password (a local benchmark
	// database: the harness logs in with it).
	userPassword = "pocketbase-bench-password"
	// batchRows is the rows per multi-row INSERT; txRows per transaction.
	batchRows = 100
	txRows    = 50000
)

// columns are the benchmark's ExportColumns (bench/peer.go), in CSV order.
var columns = []string{
	"id", "organization_id", "listing_key", "standard_status", "list_type", "property_type", "list_price",
	"street_address", "city", "state_province", "postal_code", "latitude", "longitude",
	"bedrooms_total", "bathrooms_total", "living_area", "primary_photo", "photos_count", "list_agent_id",
	"original_entry_timestamp", "modification_timestamp",
}

// listingsRule is the listings' list and view rule: an authenticated user
// sees only the listings of its own organization.
const listingsRule = `@request.auth.id != "" && organization_id = @request.auth.organization_id`

// listingsIndexes are realty's indexes of the four W1 shapes
// (internal/postgres/migrations), with city in place of realty's lower(city)
// key: the filter compares city as stored.
var listingsIndexes = []string{
	"CREATE INDEX `listings_status_city_price_idx` ON `listings` (`organization_id`, `standard_status`, `city`, `list_price`, `id`)",
	"CREATE INDEX `listings_price_idx` ON `listings` (`organization_id`, `list_price`, `id`)",
	"CREATE INDEX `listings_agent_idx` ON `listings` (`organization_id`, `list_agent_id`, `original_entry_timestamp` DESC, `id` DESC)",
	"CREATE INDEX `listings_newest_idx` ON `listings` (`organization_id`, `original_entry_timestamp` DESC, `id` DESC)",
}

// marker describes the load held by a data directory.
type marker struct {
	Version int      `json:"version"`
	CSV     string   `json:"csv"`
	Size    int64    `json:"size"`
	MTime   int64    `json:"mtime_ns"`
	Rows    int64    `json:"rows"`
	Orgs    []string `json:"orgs"`
	Seconds float64  `json:"load_seconds"`
}

func main() {
	// Not pocketbase.New(): it turns dev mode (SQL logging) on when the
	// binary lives in a temporary directory.
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false})
	var cmdErr error
	app.RootCmd.AddCommand(loadCommand(app, &cmdErr), explainCommand(app, &cmdErr))
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
	if cmdErr != nil {
		fmt.Fprintln(os.Stderr, "pbbench:", cmdErr)
		os.Exit(1)
	}
}

func loadCommand(app *pocketbase.PocketBase, cmdErr *error) *cobra.Command {
	var csvPath string
	c := &cobra.Command{
		Use:          "load",
		Short:        "Load the benchmark's exported listings (--csv) into the data directory (--dir)",
		SilenceUsage: true,
		Run: func(cmd *cobra.Command, args []string) {
			if csvPath == "" {
				*cmdErr = errors.New("load: --csv is required")
				return
			}
			*cmdErr = load(app, csvPath)
		},
	}
	c.Flags().StringVar(&csvPath, "csv", "", "the exported listings (CSV with a header row)")
	return c
}

// explainCommand prints SQLite's plan (with the app's own SQLite build) of
// each statement read from stdin, one a line: for checking that the SQL the
// list API runs (as logged by `serve --dev`) uses the indexes.
func explainCommand(app *pocketbase.PocketBase, cmdErr *error) *cobra.Command {
	return &cobra.Command{
		Use:    "explain",
		Short:  "Print EXPLAIN QUERY PLAN of each SQL statement on stdin (one a line)",
		Hidden: true,
		Run: func(cmd *cobra.Command, args []string) {
			var version string
			if err := app.DB().NewQuery("SELECT sqlite_version()").Row(&version); err != nil {
				*cmdErr = err
				return
			}
			fmt.Printf("-- SQLite %s\n", version)
			sc := bufio.NewScanner(os.Stdin)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				stmt := strings.TrimSpace(sc.Text())
				if stmt == "" {
					continue
				}
				fmt.Println(stmt)
				rows, err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + stmt).Rows()
				if err != nil {
					*cmdErr = err
					return
				}
				depth := map[int]int{}
				for rows.Next() {
					var id, parent, notused int
					var detail string
					if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
						rows.Close()
						*cmdErr = err
						return
					}
					depth[id] = depth[parent] + 1
					fmt.Printf("%s%s\n", strings.Repeat("  ", depth[id]), detail)
				}
				rows.Close()
			}
			*cmdErr = sc.Err()
		},
	}
}

func load(app core.App, csvPath string) error {
	st, err := os.Stat(csvPath)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(csvPath)
	want := marker{Version: loaderVersion, CSV: abs, Size: st.Size(), MTime: st.ModTime().UnixNano()}
	markerPath := filepath.Join(app.DataDir(), markerName)
	if have, err := readMarker(markerPath); err == nil && have.Version == want.Version &&
		have.Size == want.Size && have.MTime == want.MTime {
		if _, err := app.FindCollectionByNameOrId("listings"); err == nil {
			log.Printf("load: reusing the load of %s (%d rows, %d organizations)", have.CSV, have.Rows, len(have.Orgs))
			return nil
		}
	}
	if err := os.Remove(markerPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}

	started := time.Now()
	if err := prepare(app); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	listings, err := createListings(app)
	if err != nil {
		return fmt.Errorf("listings collection: %w", err)
	}
	rows, orgs, err := loadRows(app, csvPath)
	if err != nil {
		return fmt.Errorf("load %s: %w", csvPath, err)
	}
	loaded := time.Since(started)
	log.Printf("load: %d rows in %s (%.0f rows/s)", rows, loaded.Round(time.Millisecond), float64(rows)/loaded.Seconds())

	// Indexes after the rows: one sort per index instead of a million
	// random inserts into each.
	t := time.Now()
	listings.Indexes = types.JSONArray[string](listingsIndexes)
	if err := app.Save(listings); err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	if _, err := app.NonconcurrentDB().NewQuery("ANALYZE").Execute(); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	log.Printf("load: indexes and ANALYZE in %s", time.Since(t).Round(time.Millisecond))

	t = time.Now()
	if err := createUsers(app, orgs); err != nil {
		return fmt.Errorf("users: %w", err)
	}
	log.Printf("load: %d organization users in %s", len(orgs), time.Since(t).Round(time.Millisecond))

	want.Rows, want.Orgs, want.Seconds = rows, orgs, time.Since(started).Seconds()
	b, _ := json.MarshalIndent(want, "", "  ")
	if err := os.WriteFile(markerPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	log.Printf("load: done in %s", time.Since(started).Round(time.Millisecond))
	return nil
}

func readMarker(path string) (marker, error) {
	var m marker
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// prepare clears an earlier load and sets up what does not depend on the
// CSV: settings, a superuser (so that serve does not start its installer),
// and the organization_id field of the built-in users collection.
func prepare(app core.App) error {
	if old, err := app.FindCollectionByNameOrId("listings"); err == nil {
		log.Printf("load: dropping the earlier listings collection")
		if err := app.Delete(old); err != nil {
			return err
		}
	}

	settings := app.Settings()
	settings.Meta.AppName = "pbbench"
	settings.RateLimits.Enabled = false
	if err := app.Save(settings); err != nil {
		return err
	}

	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	if n, err := app.CountRecords(superusers); err != nil {
		return err
	} else if n == 0 {
		su := core.NewRecord(superusers)
		su.SetEmail("admin" + userDomain)
		su.SetPassword(randomString())
		if err := app.Save(su); err != nil {
			return err
		}
	}

	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	// Earlier organization users go with the earlier load.
	if _, err := app.NonconcurrentDB().NewQuery("DELETE FROM `users`").Execute(); err != nil {
		return err
	}
	if users.Fields.GetByName("organization_id") == nil {
		users.Fields.Add(&core.TextField{Name: "organization_id", Required: true})
		users.AddIndex("idx_users_organization_id", false, "`organization_id`", "")
		if err := app.Save(users); err != nil {
			return err
		}
	}
	return nil
}

// createListings makes the listings collection, without its indexes.
func createListings(app core.App) (*core.Collection, error) {
	c := core.NewBaseCollection("listings")
	// realty's uuid is the record id: PocketBase ids are 15 [a-z0-9] by
	// default, any pattern is allowed.
	id := c.Fields.GetByName("id").(*core.TextField)
	id.Min, id.Max = 36, 36
	id.Pattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	id.AutogeneratePattern = ""

	text := func(name string, required bool) core.Field {
		return &core.TextField{Name: name, Required: required}
	}
	number := func(name string, onlyInt bool) core.Field {
		return &core.NumberField{Name: name, OnlyInt: onlyInt}
	}
	date := func(name string) core.Field {
		return &core.DateField{Name: name, Required: true}
	}
	c.Fields.Add(
		text("organization_id", true),
		text("listing_key", true),
		text("standard_status", true),
		text("list_type", true),
		text("property_type", true),
		number("list_price", false),
		text("street_address", true),
		text("city", true),
		text("state_province", true),
		text("postal_code", false),
		number("latitude", false),
		number("longitude", false),
		number("bedrooms_total", true),
		number("bathrooms_total", false),
		number("living_area", false),
		text("primary_photo", false),
		number("photos_count", true),
		text("list_agent_id", false),
		date("original_entry_timestamp"),
		date("modification_timestamp"),
	)
	c.ListRule = types.Pointer(listingsRule)
	c.ViewRule = types.Pointer(listingsRule)
	// CreateRule, UpdateRule, DeleteRule stay nil: superusers only.
	if err := app.Save(c); err != nil {
		return nil, err
	}
	return c, nil
}

// kind is how a CSV column is stored.
type kind int

const (
	kText kind = iota
	kNumber
	kDate
)

var kinds = map[string]kind{
	"list_price": kNumber, "latitude": kNumber, "longitude": kNumber, "bedrooms_total": kNumber,
	"bathrooms_total": kNumber, "living_area": kNumber, "photos_count": kNumber,
	"original_entry_timestamp": kDate, "modification_timestamp": kDate,
}

// loadRows inserts the CSV's rows with multi-row INSERTs prepared once per
// transaction on the app's (non-concurrent) database connection.
func loadRows(app core.App, csvPath string) (int64, []string, error) {
	f, err := os.Open(csvPath)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return 0, nil, err
	}
	pos := make([]int, len(columns))
	for i, col := range columns {
		pos[i] = -1
		for j, h := range header {
			if h == col {
				pos[i] = j
			}
		}
		if pos[i] < 0 {
			return 0, nil, fmt.Errorf("no column %q in the header", col)
		}
	}
	orgCol := pos[1]

	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return 0, nil, fmt.Errorf("unexpected DB builder %T", app.NonconcurrentDB())
	}
	sqlDB := db.DB()

	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = "`" + c + "`"
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	insertSQL := func(n int) string {
		return "INSERT INTO `listings` (" + strings.Join(quoted, ",") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+",", n), ",")
	}

	orgs := map[string]bool{}
	var total int64
	args := make([]any, 0, batchRows*len(columns))
	pending := 0

	var tx *sql.Tx
	var full *sql.Stmt
	begin := func() error {
		var err error
		if tx, err = sqlDB.Begin(); err != nil {
			return err
		}
		full, err = tx.Prepare(insertSQL(batchRows))
		return err
	}
	flush := func() error {
		if pending == 0 {
			return nil
		}
		var err error
		if pending == batchRows {
			_, err = full.Exec(args...)
		} else {
			_, err = tx.Exec(insertSQL(pending), args...)
		}
		args, pending = args[:0], 0
		return err
	}
	commit := func() error {
		if err := flush(); err != nil {
			return err
		}
		_ = full.Close()
		return tx.Commit()
	}
	if err := begin(); err != nil {
		return 0, nil, err
	}
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()

	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		orgs[rec[orgCol]] = true
		for i, col := range columns {
			v, err := convert(kinds[col], rec[pos[i]])
			if err != nil {
				return 0, nil, fmt.Errorf("line %d, %s: %w", line, col, err)
			}
			args = append(args, v)
		}
		pending++
		total++
		if pending == batchRows {
			if err := flush(); err != nil {
				return 0, nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
		if total%txRows == 0 {
			if err := commit(); err != nil {
				return 0, nil, err
			}
			if err := begin(); err != nil {
				return 0, nil, err
			}
			if total%(10*txRows) == 0 {
				log.Printf("load: %d rows", total)
			}
		}
	}
	if err := commit(); err != nil {
		return 0, nil, err
	}
	tx = nil

	list := make([]string, 0, len(orgs))
	for o := range orgs {
		list = append(list, o)
	}
	sort.Strings(list)
	return total, list, nil
}

// convert turns a CSV field into the stored value. PocketBase's columns are
// NOT NULL: an empty (NULL) number is stored as 0, an empty text as the
// empty string.
func convert(k kind, s string) (any, error) {
	switch k {
	case kNumber:
		if s == "" {
			return int64(0), nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		return strconv.ParseFloat(s, 64)
	case kDate:
		t, err := parseTime(s)
		if err != nil {
			return nil, err
		}
		return t.UTC().Format(types.DefaultDateLayout), nil
	}
	return s, nil
}

// parseTime reads a PostgreSQL timestamptz as COPY writes it
// ("2026-11-23 06:43:11.724629+00", "+05:30" offsets) or RFC 3339.
func parseTime(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// createUsers makes one user of the built-in users collection per
// organization, in one transaction.
func createUsers(app core.App, orgs []string) error {
	return app.RunInTransaction(func(txApp core.App) error {
		users, err := txApp.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		for _, org := range orgs {
			u := core.NewRecord(users)
			u.SetEmail(org + userDomain)
			u.SetPassword(userPassword)
			u.SetVerified(true)
			u.Set("name", "org "+org[:min(8, len(org))])
			u.Set("organization_id", org)
			if err := txApp.Save(u); err != nil {
				return fmt.Errorf("user of %s: %w", org, err)
			}
		}
		return nil
	})
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
