package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"realty"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	t.Parallel()
	t.Run("OKDefaults", func(t *testing.T) {
		c, err := Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := filepath.Abs("./realty-data")
		if c.DataDir != want || c.HTTPAddr != "127.0.0.1:8080" || !c.Embedded() || c.ReadTimeout != 30*time.Second {
			t.Fatalf("defaults: %+v", c)
		}
	})
	t.Run("OKExternal", func(t *testing.T) {
		c, err := Load(env(map[string]string{
			"REALTY_DATABASE_URL": "postgres://realty_app@db/realty",
			"REALTY_PG_SETTINGS":  "shared_buffers=256MB, work_mem=16MB",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Embedded() || c.AdminDatabaseURL != c.DatabaseURL || c.PGSettings["work_mem"] != "16MB" {
			t.Fatalf("external: %+v", c)
		}
	})
	t.Run("OKArchive", func(t *testing.T) {
		c, err := Load(env(map[string]string{"REALTY_DATA_DIR": "/srv/realty"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.WALArchiveDirectory() != "/srv/realty/wal-archive" || c.BaseBackupDirectory() != "/srv/realty/base-backups" ||
			c.BaseBackupInterval != 24*time.Hour || c.BaseBackupKeep != 2 {
			t.Fatalf("archive defaults: %q %q %v %d", c.WALArchiveDirectory(), c.BaseBackupDirectory(), c.BaseBackupInterval, c.BaseBackupKeep)
		}
		c, err = Load(env(map[string]string{"REALTY_WAL_ARCHIVE_DIR": "off", "REALTY_BASE_BACKUP_INTERVAL": "off"}))
		if err != nil || c.WALArchiveDirectory() != "" || c.BaseBackupInterval != 0 {
			t.Fatalf("archiving off: %q %v, %v", c.WALArchiveDirectory(), c.BaseBackupInterval, err)
		}
	})
	bad := map[string]string{
		"REALTY_POOL_SIZE":            "many",
		"REALTY_HTTP_ADDR":            "8080",
		"REALTY_LOG_FORMAT":           "xml",
		"REALTY_HTTP_READ_TIMEOUT":    "-1s",
		"REALTY_DATABASE_URL":         "mysql://x",
		"REALTY_PG_SETTINGS":          "shared_buffers",
		"REALTY_MAX_BODY_BYTES":       "10",
		"REALTY_ADMIN_DATABASE_URL":   "http://x",
		"REALTY_METRICS_ADDR":         "9090",
		"REALTY_JOB_RESCUE_AFTER":     "5m", // below the import timeout's default
		"REALTY_BASE_BACKUP_INTERVAL": "30s",
		"REALTY_BASE_BACKUP_KEEP":     "0",
	}
	for name, value := range bad {
		t.Run("Err/"+name, func(t *testing.T) {
			_, err := Load(env(map[string]string{name: value}))
			if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[name] == "" {
				t.Fatalf("%s=%q: err %v does not name the variable", name, value, err)
			}
		})
	}
}

func TestBindFlags(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"REALTY_HTTP_ADDR": "127.0.0.1:9000"}))
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.BindFlags(fs, "http-addr", "data-dir")
	if err := fs.Parse([]string{"-http-addr", "127.0.0.1:9100"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9100" {
		t.Fatalf("flag did not override the environment: %s", c.HTTPAddr)
	}
	if fs.Lookup("pool-size") != nil {
		t.Fatal("flag bound that was not asked for")
	}
}

// TestREADMEDocumentsEveryVariable keeps the README's configuration table in
// step with the code: every variable with its default.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Doc() {
		def := "—"
		if d[1] != "" {
			def = "`" + d[1] + "`"
		}
		row := fmt.Sprintf("| `%s` | %s |", d[0], def)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row for %s (want it to start %q)", d[0], row)
		}
	}
}
