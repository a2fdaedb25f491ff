package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"realty/internal/listing"
	"realty/internal/postgres/pgtest"
)

// TestImportCommand imports a CSV file into one organization of a pgtest
// database twice: the second run changes nothing. Rejects go to a JSON
// lines file; no progress bar is drawn when stderr is not a terminal.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	dir := t.TempDir()
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL, "REALTY_DATA_DIR": dir}
	for _, slug := range []string{"acme", "globex"} {
		if code, _, stderr := run(t, vars, "org", "create", "--name", slug, "--slug", slug); code != 0 {
			t.Fatalf("org create: %s", stderr)
		}
	}
	file := filepath.Join(dir, "feed.csv")
	csv := "ListingKey,StandardStatus,ListPrice,UnparsedAddress,City,PostalCode,OnMarketDate\n" +
		"C1,Active,250000,1 Command Court,Springfield,62704,2025-05-01\n" +
		"C2,Active,abc,2 Command Court,Springfield,62704,2025-05-01\n" +
		"C3,Pending,270000,3 Command Court,Springfield,62704,2025-05-01\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.jsonl")
	// Flags after FILE work too.
	code, stdout, stderr := run(t, vars, "import", "reso", "--org", "acme", file, "--source", "CLIMLS", "--rejects", rejects)
	summary := regexp.MustCompile(`3 rows: 2 inserted, 0 updated, 0 unchanged, 1 rejected in \S+ \(\d+ rows/s\)`)
	if code != 0 || !summary.MatchString(stdout) || strings.Contains(stderr, "\r") {
		t.Fatalf("first import: exit %d\n%s%s", code, stdout, stderr)
	}
	got := readRejects(t, rejects)
	if len(got) != 1 || got[0].Row != 3 || got[0].ListingKey != "C2" || got[0].Reason != `ListPrice: "abc" is not a number` {
		t.Fatalf("rejects file: %+v", got)
	}
	code, stdout, stderr = run(t, vars, "import", "reso", "--org", "acme", "--source", "CLIMLS", file)
	if code != 0 || !strings.Contains(stdout, "3 rows: 0 inserted, 0 updated, 2 unchanged, 1 rejected") ||
		!strings.Contains(stderr, "rejected row 3 (C2)") {
		t.Fatalf("second import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, vars, "import", "reso", "--org", "globex", "--source", "CLIMLS", file)
	if code != 0 || !strings.Contains(stdout, "2 inserted") {
		t.Fatalf("import into another organization: exit %d\n%s%s", code, stdout, stderr)
	}

	errs := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "reso", file}, 2, "--org and a FILE are required"},
		{[]string{"import", "csv", "--org", "acme", file}, 2, "want: import reso"},
		{[]string{"import", "reso", "--org", "nope", file}, 1, "no organization with slug nope"},
		{[]string{"import", "reso", "--org", "acme", filepath.Join(dir, "missing.csv")}, 1, "no such file"},
		{[]string{"import", "reso", "--org", "acme", file, file}, 2, "one FILE at a time"},
	}
	for _, c := range errs {
		code, stdout, stderr := run(t, vars, c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d %s%s, want %d naming %q", c.args, code, stdout, stderr, c.code, c.want)
		}
	}
}

func readRejects(t *testing.T, path string) []listing.Reject {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []listing.Reject
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r listing.Reject
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("rejects line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var out output
	p := &progressBar{w: &out, total: 200}
	p.start = time.Now().Add(-time.Second)
	p.update(50)
	p.update(60) // within 100 ms of the last draw: skipped
	p.done()
	if got := out.String(); !strings.HasPrefix(got, "\r[=======                       ]  25%  50/200 rows") || strings.Contains(got, "60/200") ||
		!strings.HasSuffix(got, "\n") {
		t.Fatalf("bar %q", got)
	}
	if newProgressBar(&out, nil, "") != nil {
		t.Fatal("a bar on a writer that is not a terminal")
	}
}
