package main

// The Directus peer: directus@12.4.0 (installed by
// bench/peers/directus/setup.sh) on the benchmark's PostgreSQL cluster, in a
// database of its own (directus_bench) holding the exported listings in a
// table "listings". Each organization gets a Directus user with a static
// token and a policy whose read permission is limited to the
// organization's rows; W1 searches go through GET /items/listings with the
// token of the searched organization's user. See bench/peers/directus/README.md.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func init() { registerPeer(directusPeer{}) }

const (
	// directusDB is the peer's database on the benchmark's cluster.
	directusDB = "directus_bench"
	// directusAdminEmail is the Directus administrator made by bootstrap.
	directusAdminEmail = "admin@directus-bench.example.com"
	// directusUserDomain ends the e-mail of each organization's user
	// (<organization id>@directus-bench.example.com).
	directusUserDomain = "@directus-bench.example.com"
)

// directusIndexes are the indexes of the W1 shapes, equivalent to realty's
// (city instead of realty's lower(city) key: Directus compares city as given).
var directusIndexes = []string{
	`CREATE INDEX listings_status_city_price_idx ON listings (organization_id, standard_status, city, list_price, id)`,
	`CREATE INDEX listings_price_idx ON listings (organization_id, list_price, id)`,
	`CREATE INDEX listings_agent_idx ON listings (organization_id, list_agent_id, original_entry_timestamp DESC, id DESC)`,
	`CREATE INDEX listings_newest_idx ON listings (organization_id, original_entry_timestamp DESC, id DESC)`,
}

// directusTable is the listings table: ExportColumns with realty's types.
const directusTable = `CREATE TABLE listings (
	id uuid PRIMARY KEY,
	organization_id uuid NOT NULL,
	listing_key text NOT NULL,
	standard_status text NOT NULL,
	list_type text NOT NULL,
	property_type text NOT NULL,
	list_price numeric(14, 2) NOT NULL,
	street_address text NOT NULL,
	city text NOT NULL,
	state_province text NOT NULL,
	postal_code text,
	latitude numeric(9, 6),
	longitude numeric(9, 6),
	bedrooms_total int,
	bathrooms_total numeric(4, 1),
	living_area numeric(12, 2),
	primary_photo text,
	photos_count int NOT NULL,
	list_agent_id uuid,
	original_entry_timestamp timestamptz NOT NULL,
	modification_timestamp timestamptz NOT NULL
)`

type directusPeer struct{}

func (directusPeer) Name() string { return "directus" }

// Describe is the report's note on Directus.
func (directusPeer) Describe() string {
	return "Directus 12.4.0 (npm, Node " + nodeVersion() + ") on the same PostgreSQL cluster, in a database of its own " +
		"(`directus_bench`) holding the same listings with realty's indexes; items API with one static token per " +
		"organization, caching and the pressure limiter off. Directus 12 without a licence key refuses row-filter " +
		"permission rules, so the organization is a filter of each request rather than a rule of the policy " +
		"(bench/peers/directus/README.md)."
}

// nodeVersion is the installed Node.js version, for the report.
func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// directusServer is a started Directus.
type directusServer struct {
	base   string            // http://127.0.0.1:port
	fields string            // the fields parameter: ExportColumns
	tokens map[string]string // organization id → its user's static token
	*peerProc
}

func (directusPeer) Start(ctx context.Context, env PeerEnv) (Running, error) {
	for _, dir := range []string{env.Work, filepath.Join(env.Work, "uploads"), filepath.Join(env.Work, "extensions")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	logf := func(format string, args ...any) { fmt.Fprintf(env.Log, "== directus: "+format+"\n", args...) }

	logf("setup.sh")
	setup := exec.CommandContext(ctx, "bash", filepath.Join(env.Repo, "bench", "peers", "directus", "setup.sh"), env.Work)
	setup.Stdout, setup.Stderr = env.Log, env.Log
	if err := setup.Run(); err != nil {
		return nil, fmt.Errorf("directus setup.sh: %w", err)
	}

	pg, err := pgx.ParseConfig(env.AdminURL)
	if err != nil {
		return nil, fmt.Errorf("directus: admin URL: %w", err)
	}
	if err := directusLoad(ctx, pg, env, logf); err != nil {
		return nil, fmt.Errorf("directus: load: %w", err)
	}

	// Fresh secrets each start: nothing of them needs to outlive the run.
	adminToken, adminPassword := directusRandom(), directusRandom()
	tokens := make(map[string]string, len(env.Orgs))
	for _, org := range env.Orgs {
		tokens[org] = directusRandom()
	}
	vars := directusEnv(pg, env, adminPassword)

	logf("bootstrap")
	boot := exec.CommandContext(ctx, "node", directusCLI(env.Work), "bootstrap")
	boot.Dir, boot.Env, boot.Stdout, boot.Stderr = env.Work, vars, env.Log, env.Log
	if err := boot.Run(); err != nil {
		return nil, fmt.Errorf("directus bootstrap: %w", err)
	}
	// Static tokens for the administrator and for the users already made by
	// an earlier run, set while Directus is not running.
	missing, err := directusSetTokens(ctx, pg, adminToken, tokens)
	if err != nil {
		return nil, fmt.Errorf("directus: tokens: %w", err)
	}

	logf("start on %s", env.Addr)
	cmd := exec.Command("node", directusCLI(env.Work), "start")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = env.Work, vars, env.Log, env.Log
	proc, err := startProc(cmd)
	if err != nil {
		return nil, err
	}
	s := &directusServer{base: "http://" + env.Addr, fields: strings.Join(ExportColumns, ","), tokens: tokens, peerProc: proc}
	if err := s.waitHealthy(ctx, "directus", s.base+"/server/health", "Bearer "+adminToken, 3*time.Minute); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if err := s.configure(ctx, adminToken, missing); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("directus: configure: %w", err)
	}
	logf("ready: %d organizations (%d users made now)", len(tokens), len(missing))
	return s, nil
}

// directusCLI is Directus's command line (the API package's entry point,
// without the npm package's update check).
func directusCLI(work string) string {
	return filepath.Join(work, "node_modules", "@directus", "api", "dist", "cli", "run.js")
}

// directusEnv is the configuration of bootstrap and the server.
func directusEnv(pg *pgx.ConnConfig, env PeerEnv, adminPassword string) []string {
	host, port, _ := strings.Cut(env.Addr, ":")
	vars := map[string]string{
		"KEY":            directusRandom(),
		"SECRET":         directusRandom(),
		"ADMIN_EMAIL":    directusAdminEmail,
		"ADMIN_PASSWORD": adminPassword,
		"PUBLIC_URL":     "http://" + env.Addr,
		"HOST":           host,
		"PORT":           port,
		"DB_CLIENT":      "pg",
		// node-postgres takes a unix socket directory as host.
		"DB_HOST":     pg.Host,
		"DB_PORT":     strconv.Itoa(int(pg.Port)),
		"DB_DATABASE": directusDB,
		"DB_USER":     pg.User,
		"DB_PASSWORD": pg.Password,
		// No response cache (each request reaches the database, as realty's
		// do), no rate limits, no load shedding (503 "Under pressure" when
		// the event loop lags), no outbound calls that can be turned off.
		"CACHE_ENABLED":                     "false",
		"PRESSURE_LIMITER_ENABLED":          "false",
		"RATE_LIMITER_ENABLED":              "false",
		"RATE_LIMITER_GLOBAL_ENABLED":       "false",
		"RATE_LIMITER_REGISTRATION_ENABLED": "false",
		"TELEMETRY":                         "false",
		"WEBSOCKETS_ENABLED":                "false",
		"SERVE_APP":                         "false",
		"LOG_LEVEL":                         "warn",
		"LOG_STYLE":                         "raw",
		"NODE_ENV":                          "production",
		"EXTENSIONS_PATH":                   filepath.Join(env.Work, "extensions"),
		"STORAGE_LOCATIONS":                 "local",
		"STORAGE_LOCAL_ROOT":                filepath.Join(env.Work, "uploads"),
	}
	var out []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); vars[k] == "" && !strings.HasPrefix(k, "DB_") {
			out = append(out, kv)
		}
	}
	for k, v := range vars {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func directusRandom() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// directusLoad makes the peer's database and loads env.CSV into listings,
// unless the database already holds this CSV (same path, size and mtime).
func directusLoad(ctx context.Context, admin *pgx.ConnConfig, env PeerEnv, logf func(string, ...any)) error {
	st, err := os.Stat(env.CSV)
	if err != nil {
		return err
	}
	marker := fmt.Sprintf("%s size=%d mtime=%d", env.CSV, st.Size(), st.ModTime().UnixNano())

	maint := admin.Copy()
	maint.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, maint)
	if err != nil {
		return err
	}
	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", directusDB).Scan(&exists)
	if err == nil && !exists {
		logf("create database %s", directusDB)
		_, err = conn.Exec(ctx, "CREATE DATABASE "+directusDB)
	}
	conn.Close(ctx)
	if err != nil {
		return err
	}

	cfg := admin.Copy()
	cfg.Database = directusDB
	db, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	// The marker lives outside the public schema, which Directus reads.
	if _, err := db.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS bench;
		CREATE TABLE IF NOT EXISTS bench.load (marker text NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var have string
	var haveRows int64
	err = db.QueryRow(ctx, "SELECT marker, rows FROM bench.load").Scan(&have, &haveRows)
	if err == nil && have == marker {
		logf("reusing the load of %s (%d rows)", env.CSV, haveRows)
		return nil
	} else if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}

	logf("load %s", env.CSV)
	started := time.Now()
	f, err := os.Open(env.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "DELETE FROM bench.load; DROP TABLE IF EXISTS listings; "+directusTable); err != nil {
		return err
	}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, f, "COPY listings ("+strings.Join(ExportColumns, ", ")+") FROM STDIN WITH (FORMAT csv, HEADER)")
	if err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	if _, err := db.Exec(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
		return err
	}
	for _, ix := range directusIndexes {
		if _, err := db.Exec(ctx, ix); err != nil {
			return err
		}
	}
	if _, err := db.Exec(ctx, "VACUUM (ANALYZE) listings"); err != nil {
		return err
	}
	if _, err := db.Exec(ctx, "INSERT INTO bench.load (marker, rows) VALUES ($1, $2)", marker, tag.RowsAffected()); err != nil {
		return err
	}
	logf("loaded %d rows in %s", tag.RowsAffected(), time.Since(started).Round(time.Millisecond))
	return nil
}

// directusSetTokens gives the administrator and the organizations' users
// that exist its token, and returns the organizations that have no user yet.
func directusSetTokens(ctx context.Context, admin *pgx.ConnConfig, adminToken string, tokens map[string]string) ([]string, error) {
	cfg := admin.Copy()
	cfg.Database = directusDB
	db, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close(ctx)
	tag, err := db.Exec(ctx, "UPDATE directus_users SET token = $1 WHERE email = $2", adminToken, directusAdminEmail)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() != 1 {
		return nil, fmt.Errorf("no Directus administrator %s", directusAdminEmail)
	}
	var emails, toks []string
	for org, t := range tokens {
		emails, toks = append(emails, org+directusUserDomain), append(toks, t)
	}
	rows, err := db.Query(ctx, `UPDATE directus_users u SET token = t.token
		FROM unnest($1::text[], $2::text[]) AS t(email, token) WHERE u.email = t.email RETURNING u.email`, emails, toks)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		have[strings.TrimSuffix(e, directusUserDomain)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for org := range tokens {
		if !have[org] {
			missing = append(missing, org)
		}
	}
	return missing, nil
}

// directusPolicy is the policy of the organizations' users: read all of
// listings. Directus 12's Core licence has no item permission rules
// (custom_permission_rules_enabled is false without a licence key, and
// Directus then ignores any rule that filters rows), so the organization is
// a filter of each request rather than of the permission; see README.md.
const directusPolicy = "bench listings reader"

// configure registers listings as a collection, makes the policy if it is
// missing, and a user with that policy and its static token for each
// organization without one.
func (s *directusServer) configure(ctx context.Context, adminToken string, missing []string) error {
	if err := s.admin(ctx, adminToken, http.MethodPatch, "/collections/listings",
		map[string]any{"meta": map[string]any{"note": "realty benchmark: exported listings", "hidden": false}}, nil); err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	var policies struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	q := url.Values{"filter[name][_eq]": {directusPolicy}, "fields": {"id"}}
	if err := s.admin(ctx, adminToken, http.MethodGet, "/policies?"+q.Encode(), nil, &policies); err != nil {
		return err
	}
	if len(policies.Data) == 0 {
		policy := map[string]any{
			"name": directusPolicy, "icon": "badge", "admin_access": false, "app_access": false,
			"description": "API-only read access to the benchmark's listings",
			"permissions": []map[string]any{{"collection": "listings", "action": "read", "fields": []string{"*"}}},
		}
		if err := s.admin(ctx, adminToken, http.MethodPost, "/policies?fields=id", []any{policy}, &policies); err != nil {
			return err
		}
	}
	if len(policies.Data) != 1 {
		return fmt.Errorf("%d policies named %q", len(policies.Data), directusPolicy)
	}
	var users []map[string]any
	for _, org := range missing {
		users = append(users, map[string]any{
			"email": org + directusUserDomain, "first_name": "org " + org[:min(8, len(org))], "status": "active",
			"token": s.tokens[org], "policies": []map[string]any{{"policy": policies.Data[0].ID}},
		})
	}
	return s.admin(ctx, adminToken, http.MethodPost, "/users?fields=id", users, nil)
}

// admin sends an administrator's request with a JSON body.
func (s *directusServer) admin(ctx context.Context, token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %.300s", method, path, res.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// directusQuery is the search as /items/listings parameters.
func directusQuery(s Search, fields string) url.Values {
	v := url.Values{"limit": {strconv.Itoa(s.Limit)}, "fields": {fields}, "filter[organization_id][_eq]": {s.OrgID}}
	switch s.Shape {
	case ShapeStatusCity:
		v.Set("filter[standard_status][_eq]", s.Status)
		v.Set("filter[city][_eq]", s.City)
		v.Set("sort", "list_price,id")
	case ShapeBedsBaths:
		v.Set("filter[bedrooms_total][_gte]", strconv.Itoa(s.MinBeds))
		v.Set("filter[bathrooms_total][_gte]", strconv.FormatFloat(s.MinBaths, 'f', -1, 64))
		v.Set("sort", "list_price,id")
	case ShapeAgent:
		v.Set("filter[list_agent_id][_eq]", s.AgentID)
		v.Set("sort", "-original_entry_timestamp,-id")
	default:
		v.Set("sort", "-original_entry_timestamp,-id")
	}
	if s.MaxPrice > 0 {
		v.Set("filter[list_price][_between]", strconv.FormatInt(s.MinPrice, 10)+","+strconv.FormatInt(s.MaxPrice, 10))
	}
	return v
}

func (s *directusServer) Do(ctx context.Context, client *http.Client, q Search) error {
	token, ok := s.tokens[q.OrgID]
	if !ok {
		return fmt.Errorf("directus: no user for organization %s", q.OrgID)
	}
	path := "/items/listings?" + directusQuery(q, s.fields).Encode()
	status, body, err := fetch(ctx, client, s.base+path, "Bearer "+token)
	if err != nil {
		return err
	}
	if status/100 != 2 || !bytes.HasPrefix(body, []byte(`{"data":[`)) {
		return fmt.Errorf("GET %s: %d %.200s", path, status, body)
	}
	return nil
}
