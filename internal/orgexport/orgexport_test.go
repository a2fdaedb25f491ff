package orgexport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"realty/internal/app"
	"realty/internal/blob"
	"realty/internal/fixture"
	"realty/internal/identity"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// source loads the demo organization and a second one into a fresh
// database with a blob store of its own.
func source(t *testing.T) (Source, string) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	blobs, err := blob.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(db.Pool, app.Options{SecretKey: make([]byte, identity.SecretKeySize),
		Argon2: identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Blobs: blobs, MediaMaxBytes: 1 << 20, ImportMaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := fixture.Demo(ctx, svc, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	if _, err := fixture.NewOrg(ctx, svc, "Other Realty", "other", "correct horse battery staple", "owner", "agent"); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v", time.Since(start).Round(time.Millisecond))
	return Source{AdminURL: db.AdminURL, Blobs: blobs, Version: "test"}, "demo"
}

// target is a fresh migrated database without organizations, and its blob
// store.
func target(t *testing.T) Target {
	t.Helper()
	blobs, err := blob.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return Target{AdminURL: pgtest.New(t).AdminURL, Blobs: blobs}
}

// TestRoundTrip exports the demo organization, imports it into a second
// database and compares every table's rows of the organization (count and
// checksum), its users and lookups and its blobs; a second import, a newer
// schema, a truncated file and a user whose email is taken are refused
// without a write.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, slug := source(t)
	var file bytes.Buffer
	exp, err := Export(ctx, src, slug, &file)
	if err != nil {
		t.Fatal(err)
	}
	tgt := target(t)
	imp, err := Import(ctx, tgt, bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("export: %d tables, %d rows, %d blobs, %d bytes in %v; import: %d tables, %d rows, %d blobs, %d users created in %v",
		exp.Tables, exp.Rows, exp.Blobs, file.Len(), exp.Duration.Round(time.Millisecond),
		imp.Tables, imp.Rows, imp.Blobs, imp.UsersCreated, imp.Duration.Round(time.Millisecond))
	if exp.Tables < 50 || exp.Rows < 1000 || exp.Blobs == 0 || imp.Tables != exp.Tables || imp.Rows != exp.Rows ||
		imp.Blobs != exp.Blobs || imp.UsersCreated == 0 || imp.UsersLinked != 0 {
		t.Fatalf("export %+v, import %+v", exp, imp)
	}
	org := exp.Organization.ID
	want := sums(t, src.AdminURL, org)
	if got := sums(t, tgt.AdminURL, org); !cmp.Equal(want, got) {
		t.Fatalf("imported rows differ (-source +target):\n%s", cmp.Diff(want, got))
	}
	if n := want["org.members"].Rows; n < 5 || want["audit.changes"].Rows == 0 || want["identity.users"].Rows != n {
		t.Fatalf("thin comparison: %+v", want)
	}
	if other := orgRows(t, tgt.AdminURL); other != 1 {
		t.Fatalf("the target holds %d organizations, want the imported one only", other)
	}
	sameBlobs(t, src.Blobs, tgt.Blobs, blobKeys(t, file.Bytes()))
	inDependencyOrder(t, src.AdminURL, file.Bytes())
	t.Run("ErrImportedTwice", func(t *testing.T) {
		before := sums(t, tgt.AdminURL, org)
		_, err := Import(ctx, tgt, bytes.NewReader(file.Bytes()))
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), org) {
			t.Fatalf("second import: %v", err)
		}
		if diff := cmp.Diff(before, sums(t, tgt.AdminURL, org)); diff != "" {
			t.Fatalf("a refused import changed rows:\n%s", diff)
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		_, err := Import(ctx, tgt, bytes.NewReader(withHeader(t, file.Bytes(), func(h *Header) { h.SchemaVersion++ })))
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "migrate up") {
			t.Fatalf("import of a newer schema: %v", err)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		t.Parallel()
		b := file.Bytes()
		cut := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1 // without the end record
		fresh := target(t)
		if _, err := Import(ctx, fresh, bytes.NewReader(b[:cut])); !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("import of a truncated file: %v", err)
		}
		if n := orgRows(t, fresh.AdminURL); n != 0 {
			t.Fatalf("a refused import left %d organizations", n)
		}
	})
	t.Run("ErrEmailTaken", func(t *testing.T) {
		t.Parallel()
		fresh := target(t)
		exec(t, fresh.AdminURL, `INSERT INTO identity.users (email) VALUES ('owner@demo.example')`)
		_, err := Import(ctx, fresh, bytes.NewReader(file.Bytes()))
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "owner@demo.example") {
			t.Fatalf("import over a taken email: %v", err)
		}
		if n := orgRows(t, fresh.AdminURL); n != 0 {
			t.Fatalf("a refused import left %d organizations", n)
		}
	})
	t.Run("ErrDuplicateRow", func(t *testing.T) {
		t.Parallel()
		edited := editRows(t, file.Bytes(), func(l []byte) [][]byte {
			if bytes.HasPrefix(l, []byte(`{"table":"crm.clients",`)) {
				return [][]byte{l, l}
			}
			return [][]byte{l}
		})
		_, err := Import(ctx, target(t), bytes.NewReader(edited))
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "crm.clients") || !strings.Contains(err.Error(), "clients_pkey") {
			t.Fatalf("import of a row twice: %v", err)
		}
	})
	t.Run("ErrDanglingReference", func(t *testing.T) {
		t.Parallel()
		edited := editRows(t, file.Bytes(), func(l []byte) [][]byte {
			if bytes.HasPrefix(l, []byte(`{"table":"property.properties",`)) {
				return nil
			}
			return [][]byte{l}
		})
		fresh := target(t)
		_, err := Import(ctx, fresh, bytes.NewReader(edited))
		if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), "reference rows of property.properties") {
			t.Fatalf("import without the properties: %v", err)
		}
		if n := orgRows(t, fresh.AdminURL); n != 0 {
			t.Fatalf("a refused import left %d organizations", n)
		}
	})
}

// editRows rewrites the file's row records through edit and its end record
// to match, so only the change itself can be refused.
func editRows(t *testing.T, file []byte, edit func([]byte) [][]byte) []byte {
	t.Helper()
	var out [][]byte
	var tables []string
	var rows int64
	var end End
	for l := range bytes.Lines(file) {
		switch {
		case bytes.HasPrefix(l, []byte(`{"table":`)):
			for _, e := range edit(l) {
				var r struct{ Table string }
				if err := json.Unmarshal(e, &r); err != nil {
					t.Fatal(err)
				}
				if len(tables) == 0 || tables[len(tables)-1] != r.Table {
					tables = append(tables, r.Table)
				}
				rows++
				out = append(out, e)
			}
		case bytes.HasPrefix(l, []byte(`{"end":`)):
			var r struct{ End End }
			if err := json.Unmarshal(l, &r); err != nil {
				t.Fatal(err)
			}
			end = End{Tables: len(tables), Rows: rows, Blobs: r.End.Blobs}
			b, _ := json.Marshal(map[string]End{"end": end})
			out = append(out, append(b, '\n'))
		default:
			out = append(out, l)
		}
	}
	if end.Rows == 0 {
		t.Fatal("no end record")
	}
	return bytes.Join(out, nil)
}

// tableSum is a table's row count and checksum for one organization.
type tableSum struct {
	Rows int64
	Sum  string
}

// sums reads, for every table an export holds, the count and md5 of the
// organization's rows' JSON in order.
func sums(t *testing.T, url, org string) map[string]tableSum {
	t.Helper()
	ctx := context.Background()
	conn, err := connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	cat, err := readCatalog(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]tableSum{}
	read := func(tb Table, where string) {
		var s tableSum
		err := conn.QueryRow(ctx, "SELECT count(*), coalesce(md5(string_agg(to_jsonb(u)::text, '|' ORDER BY to_jsonb(u)::text)), '') FROM "+
			tb.ident()+" u WHERE "+where, org).Scan(&s.Rows, &s.Sum)
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		out[tb.String()] = s
	}
	for _, tb := range cat.owned {
		read(tb, "organization_id = $1")
	}
	for _, tb := range cat.lookups {
		read(tb, "org_id = $1")
	}
	read(usersTable, "id IN (SELECT user_id FROM org.members WHERE organization_id = $1)")
	return out
}

func orgRows(t *testing.T, url string) int {
	t.Helper()
	var n int
	conn := dial(t, url)
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM org.organizations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func exec(t *testing.T, url, sql string) {
	t.Helper()
	if _, err := dial(t, url).Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func dial(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// withHeader returns the file with its header changed.
func withHeader(t *testing.T, file []byte, change func(*Header)) []byte {
	t.Helper()
	first, rest, _ := bytes.Cut(file, []byte{'\n'})
	var h Header
	if err := json.Unmarshal(first, &h); err != nil {
		t.Fatal(err)
	}
	change(&h)
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(b, '\n'), rest...)
}

// blobKeys lists the blob records' keys.
func blobKeys(t *testing.T, file []byte) []string {
	t.Helper()
	var keys []string
	for l := range bytes.Lines(file) {
		if bytes.HasPrefix(l, []byte(`{"blob":`)) {
			var r record
			if err := json.Unmarshal(l, &r); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, r.Blob)
		}
	}
	return keys
}

// sameBlobs requires each key's contents equal in both stores.
func sameBlobs(t *testing.T, a, b blob.Store, keys []string) {
	t.Helper()
	if len(keys) == 0 {
		t.Fatal("no blobs to compare")
	}
	for _, k := range keys {
		x, err := readBlob(context.Background(), a, k)
		if err != nil {
			t.Fatal(err)
		}
		y, err := readBlob(context.Background(), b, k)
		if err != nil || !bytes.Equal(x, y) {
			t.Fatalf("blob %s: %d bytes in the source, %d in the target (%v)", k, len(x), len(y), err)
		}
	}
}

// inDependencyOrder requires every table's rows to come after the rows of
// the tables its foreign keys reference.
func inDependencyOrder(t *testing.T, url string, file []byte) {
	t.Helper()
	ctx := context.Background()
	conn := dial(t, url)
	cat, err := readCatalog(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]int{}
	n := 0
	for l := range bytes.Lines(file) {
		var r struct{ Table string }
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		if _, seen := first[r.Table]; r.Table != "" && !seen {
			first[r.Table] = n
		}
		n++
	}
	checked := 0
	for _, k := range cat.keys {
		from, okFrom := first[k.From.String()]
		to, okTo := first[k.To.String()]
		if okFrom && okTo && k.From != k.To {
			checked++
			if to > from {
				t.Errorf("%s comes before %s, which it references (%s)", k.From, k.To, k.Name)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d foreign keys between exported tables checked", checked)
	}
}

func TestDependencyOrder(t *testing.T) {
	t.Parallel()
	a, b, c, d := Table{"s", "a"}, Table{"s", "b"}, Table{"s", "c"}, Table{"r", "d"}
	keys := []foreignKey{{From: c, To: b}, {From: b, To: a}, {From: c, To: c}, {From: a, To: usersTable}}
	got := dependencyOrder([]Table{c, b, a, d}, keys)
	if want := []Table{d, a, b, c}; !cmp.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
