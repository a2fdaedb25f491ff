// Package cluster runs a private PostgreSQL server from the machine's own
// binaries: it initialises a data directory, starts postgres as a child
// process that dies with realty, waits until it answers, and stops it in
// order. It works as root (running the server as the postgres system user),
// and a second realty process on the same data directory attaches to the
// running server instead of starting another.
package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Superuser is the bootstrap superuser initdb creates; local connections to it
// over the cluster's own unix socket are trusted.
const Superuser = "postgres"

// Config says where a cluster lives and how it runs.
type Config struct {
	// DataDir is the cluster's data directory (PGDATA). Required.
	DataDir string
	// BinDir holds initdb and postgres; "" finds them (see FindBinDir).
	BinDir string
	// SocketDir holds the unix socket; "" uses "run" beside DataDir, or a
	// short directory under the system temp dir when that path is too long
	// for a socket.
	SocketDir string
	// TCP makes the server also listen on 127.0.0.1, on Port or, when Port
	// is 0, on a free port. Without TCP the server has no network listener.
	TCP  bool
	Port int
	// Settings are server settings passed as -c flags; they override
	// DefaultSettings key by key.
	Settings map[string]string
	// WALArchiveDir, when set, turns WAL archiving on into that directory
	// (ArchiveSettings); "" leaves it off (test and throw-away clusters).
	WALArchiveDir string
	// NoSync skips fsync in initdb (tests and throw-away clusters).
	NoSync bool
	// LogFile receives the server's output; "" uses postgres.log beside
	// DataDir.
	LogFile string
	// StartTimeout bounds the wait for readiness (default 60 s);
	// StopTimeout the wait for a fast shutdown before escalating (30 s).
	StartTimeout time.Duration
	StopTimeout  time.Duration
}

// DefaultSettings are modest settings for a small machine; Config.Settings
// overrides any of them.
func DefaultSettings() map[string]string {
	return map[string]string{
		"shared_preload_libraries":   "pg_stat_statements",
		"pg_stat_statements.track":   "top",
		"shared_buffers":             "128MB",
		"effective_cache_size":       "512MB",
		"work_mem":                   "8MB",
		"maintenance_work_mem":       "64MB",
		"max_connections":            "100",
		"max_wal_size":               "1GB",
		"unix_socket_permissions":    "0770",
		"log_min_duration_statement": "1000",
		"log_line_prefix":            "%m [%p] %q%u@%d ",
	}
}

func (cfg Config) normalized() (Config, error) {
	if cfg.DataDir == "" {
		return cfg, errors.New("cluster: data directory not set")
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return cfg, fmt.Errorf("data directory %q: %w", cfg.DataDir, err)
	}
	cfg.DataDir = abs
	if cfg.LogFile == "" {
		cfg.LogFile = filepath.Join(filepath.Dir(abs), "postgres.log")
	}
	if cfg.LogFile, err = filepath.Abs(cfg.LogFile); err != nil {
		return cfg, err
	}
	if cfg.WALArchiveDir != "" {
		if cfg.WALArchiveDir, err = filepath.Abs(cfg.WALArchiveDir); err != nil {
			return cfg, err
		}
	}
	if cfg.SocketDir == "" {
		cfg.SocketDir = defaultSocketDir(abs)
	}
	if cfg.SocketDir, err = filepath.Abs(cfg.SocketDir); err != nil {
		return cfg, err
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 60 * time.Second
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = 30 * time.Second
	}
	return cfg, nil
}

// defaultSocketDir keeps the socket path under the 107-byte limit of unix
// sockets.
func defaultSocketDir(dataDir string) string {
	dir := filepath.Join(filepath.Dir(dataDir), "run")
	if len(dir)+len("/.s.PGSQL.65535") < 100 {
		return dir
	}
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(os.TempDir(), "realty-pg-"+hex.EncodeToString(sum[:6]))
}

// args returns the postgres command line: settings as -c flags in a stable
// order.
func (cfg Config) args(port int) []string {
	settings := DefaultSettings()
	if cfg.WALArchiveDir != "" {
		maps.Copy(settings, ArchiveSettings(cfg.WALArchiveDir))
	}
	maps.Copy(settings, cfg.Settings)
	settings["listen_addresses"] = ""
	if cfg.TCP {
		settings["listen_addresses"] = "127.0.0.1"
	}
	settings["port"] = strconv.Itoa(port)
	settings["unix_socket_directories"] = cfg.SocketDir
	args := []string{"-D", cfg.DataDir}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		args = append(args, "-c", k+"="+settings[k])
	}
	return args
}

func (cfg Config) port() (int, error) {
	switch {
	case cfg.Port != 0:
		return cfg.Port, nil
	case !cfg.TCP:
		return 5432, nil // names the socket file only; the directory is ours
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Open returns the cluster in cfg.DataDir: it attaches to the server already
// running there (started by another realty process), or initialises the data
// directory when empty and starts a server that lives until Stop or until
// this process dies. It returns ErrNoBinaries (wrapped) when no server binaries
// exist, and a clear error when the data directory is unusable.
func Open(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	own, err := serverOwner()
	if err != nil {
		return nil, err
	}
	if err := own.checkEnterable(cfg.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DataDir), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(cfg.DataDir), err)
	}
	l, err := lock(cfg.DataDir + ".lock")
	if err != nil {
		return nil, err
	}
	defer l.unlock()
	if c, ok, err := attach(ctx, cfg); err != nil || ok {
		return c, err
	}
	binDir, err := FindBinDir(cfg.BinDir)
	if err != nil {
		return nil, err
	}
	if err := initialise(ctx, cfg, binDir, own); err != nil {
		return nil, err
	}
	if cfg.WALArchiveDir != "" {
		if err := PrepareArchiveDir(cfg.WALArchiveDir); err != nil {
			return nil, fmt.Errorf("WAL archive directory: %w", err)
		}
	}
	return start(ctx, cfg, binDir, own)
}
