// Package config loads realty's one Config from REALTY_* environment
// variables, lets command-line flags override them, and validates the result
// naming the variable at fault.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"realty"
)

// Config is every setting realty reads. The zero value is not usable: call
// Load.
type Config struct {
	// DatabaseURL names an external PostgreSQL server, connecting as the
	// runtime role; empty runs the embedded cluster in DataDir.
	DatabaseURL string
	// AdminDatabaseURL is used for migrations against an external server (a
	// superuser or a role allowed to create roles and extensions); it
	// defaults to DatabaseURL.
	AdminDatabaseURL string
	// DataDir holds the embedded cluster, uploaded files and the generated
	// server key.
	DataDir string
	// PGBinDir holds initdb and postgres; empty finds them.
	PGBinDir string
	// PGSettings override the embedded server's settings ("k=v,k=v").
	PGSettings map[string]string
	// PoolSize caps the runtime pool; 0 means twice the usable cores.
	PoolSize int

	HTTPAddr        string
	MaxBodyBytes    int64
	MediaMaxBytes   int64
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration

	// SecretKey is the server key (base64 of 32 bytes) that encrypts MFA
	// secrets; empty reads or generates DataDir/secret.key.
	SecretKey string
	// SessionIdleTimeout ends an unused session; SessionLifetime ends any.
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	// CookieSecure is auto (Secure when the request came over TLS), always
	// or never.
	CookieSecure string
	// RateLimit is the default number of requests a minute one credential
	// may make on /api/v1 and /reso/odata (an organization may have its
	// own); 0 turns the default limit off.
	RateLimit int

	// DebugAddr, when set, serves net/http/pprof there (a separate
	// listener, never the public address).
	DebugAddr string
	// MetricsAddr, when set, serves /metrics there instead of on HTTPAddr;
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsAddr  string
	MetricsToken string

	// ImportTimeout bounds one run of an uploaded import; JobRescueAfter is
	// how long a job may stay running before River takes it for lost (its
	// worker killed) and retries it. It must not be below ImportTimeout.
	ImportTimeout  time.Duration
	JobRescueAfter time.Duration

	// SMTP is the mail server e-mails go through; SMTPHost empty sends
	// none (deliveries stay queued). SMTPTLS is starttls, tls (implicit,
	// port 465) or none. SMTPFrom is the sender address of every e-mail.
	SMTPHost     string
	SMTPPort     int
	SMTPTLS      string
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	// WebhookAllowPrivate lets webhook endpoints name private and loopback
	// addresses.
	WebhookAllowPrivate bool
	// PublicURL is where people reach realty (links in e-mails); empty:
	// http:// and HTTPAddr.
	PublicURL string

	// BackupInterval is how often serve backs up (0: scheduled backups
	// off); BackupDir is where backups go ("": DataDir/backups, see
	// BackupDirectory); the schedule keeps the newest of each of the last
	// BackupKeepDaily days and BackupKeepWeekly weeks.
	BackupInterval   time.Duration
	BackupDir        string
	BackupKeepDaily  int
	BackupKeepWeekly int
	// WALArchiveDir is where the embedded cluster archives its WAL ("":
	// DataDir/wal-archive, "off": no archiving; see WALArchiveDirectory);
	// serve takes a base backup every BaseBackupInterval (0: never) into
	// BaseBackupDir, keeping the BaseBackupKeep newest scheduled ones.
	WALArchiveDir      string
	BaseBackupDir      string
	BaseBackupInterval time.Duration
	BaseBackupKeep     int

	// LogFormat is auto (text on a terminal, JSON otherwise), text or json.
	LogFormat string
	// LogLevel is debug, info, warn or error.
	LogLevel string
}

// variable describes one setting: its environment name, default, and how to
// set the field from a string.
type variable struct {
	env, def, usage string
	set             func(c *Config, v string) error
}

func variables() []variable {
	return []variable{
		{"REALTY_DATABASE_URL", "", "external PostgreSQL URL (runtime role); empty runs the embedded cluster", setString(func(c *Config) *string { return &c.DatabaseURL })},
		{"REALTY_ADMIN_DATABASE_URL", "", "PostgreSQL URL for migrations on an external server (default REALTY_DATABASE_URL)", setString(func(c *Config) *string { return &c.AdminDatabaseURL })},
		{"REALTY_DATA_DIR", "./realty-data", "directory of the embedded cluster, uploads and the server key", setString(func(c *Config) *string { return &c.DataDir })},
		{"REALTY_PG_BINDIR", "", "directory holding initdb and postgres (default: found on PATH or /usr/lib/postgresql)", setString(func(c *Config) *string { return &c.PGBinDir })},
		{"REALTY_PG_SETTINGS", "", "embedded server settings, k=v,k=v (e.g. shared_buffers=256MB)", setSettings},
		{"REALTY_POOL_SIZE", "0", "database connections at most (0: twice the cores)", setInt(func(c *Config) *int { return &c.PoolSize })},
		{"REALTY_HTTP_ADDR", "127.0.0.1:8080", "address the HTTP server listens on", setString(func(c *Config) *string { return &c.HTTPAddr })},
		{"REALTY_MAX_BODY_BYTES", "10485760", "largest request body accepted, in bytes", setInt64(func(c *Config) *int64 { return &c.MaxBodyBytes })},
		{"REALTY_MEDIA_MAX_BYTES", "8388608", "largest photo, floor plan or document accepted, in bytes", setInt64(func(c *Config) *int64 { return &c.MediaMaxBytes })},
		{"REALTY_HTTP_READ_TIMEOUT", "30s", "time to read a whole request", setDuration(func(c *Config) *time.Duration { return &c.ReadTimeout })},
		{"REALTY_HTTP_WRITE_TIMEOUT", "60s", "time to write a response", setDuration(func(c *Config) *time.Duration { return &c.WriteTimeout })},
		{"REALTY_HTTP_IDLE_TIMEOUT", "120s", "keep-alive idle time", setDuration(func(c *Config) *time.Duration { return &c.IdleTimeout })},
		{"REALTY_SHUTDOWN_TIMEOUT", "20s", "time granted to in-flight requests and jobs at shutdown", setDuration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{"REALTY_SECRET_KEY", "", "server key, base64 of 32 random bytes; empty: generated into REALTY_DATA_DIR/secret.key", setString(func(c *Config) *string { return &c.SecretKey })},
		{"REALTY_SESSION_IDLE_TIMEOUT", "30m", "a session unused this long ends", setDuration(func(c *Config) *time.Duration { return &c.SessionIdleTimeout })},
		{"REALTY_SESSION_LIFETIME", "12h", "a session ends this long after sign-in, however used", setDuration(func(c *Config) *time.Duration { return &c.SessionLifetime })},
		{"REALTY_COOKIE_SECURE", "auto", "dashboard cookies' Secure flag: auto (when served over TLS), always or never", setString(func(c *Config) *string { return &c.CookieSecure })},
		{"REALTY_RATE_LIMIT_PER_MINUTE", "600", "requests a minute per credential (API key, access token's key, signed-in user) on /api/v1 and /reso/odata, bursts up to the same; an organization may have its own (realty org rate-limit); 0: no default limit", setInt(func(c *Config) *int { return &c.RateLimit })},
		{"REALTY_DEBUG_ADDR", "", "address serving Go profiles (net/http/pprof) for diagnosis; empty: off", setString(func(c *Config) *string { return &c.DebugAddr })},
		{"REALTY_METRICS_ADDR", "", "address serving /metrics instead of REALTY_HTTP_ADDR; empty: served there", setString(func(c *Config) *string { return &c.MetricsAddr })},
		{"REALTY_METRICS_TOKEN", "", "bearer token /metrics requires; empty: none", setString(func(c *Config) *string { return &c.MetricsToken })},
		{"REALTY_IMPORT_TIMEOUT", "10m", "longest run of an uploaded MLS import before it is stopped and retried", setDuration(func(c *Config) *time.Duration { return &c.ImportTimeout })},
		{"REALTY_JOB_RESCUE_AFTER", "10m", "a job running this long is taken for lost (process killed) and retried; at least REALTY_IMPORT_TIMEOUT", setDuration(func(c *Config) *time.Duration { return &c.JobRescueAfter })},
		{"REALTY_SMTP_HOST", "", "SMTP server e-mails go through; empty: none sent (they stay queued)", setString(func(c *Config) *string { return &c.SMTPHost })},
		{"REALTY_SMTP_PORT", "587", "SMTP server port", setInt(func(c *Config) *int { return &c.SMTPPort })},
		{"REALTY_SMTP_TLS", "starttls", "starttls (required), tls (implicit, port 465) or none", setString(func(c *Config) *string { return &c.SMTPTLS })},
		{"REALTY_SMTP_USERNAME", "", "SMTP user name; empty: no authentication", setString(func(c *Config) *string { return &c.SMTPUsername })},
		{"REALTY_SMTP_PASSWORD", "", "SMTP password", setString(func(c *Config) *string { return &c.SMTPPassword })},
		{"REALTY_SMTP_FROM", "", "sender address of every e-mail (required with REALTY_SMTP_HOST)", setString(func(c *Config) *string { return &c.SMTPFrom })},
		{"REALTY_WEBHOOK_ALLOW_PRIVATE", "false", "let webhook endpoints name private, loopback and link-local addresses (true only when the receivers are yours)", setBool(func(c *Config) *bool { return &c.WebhookAllowPrivate })},
		{"REALTY_PUBLIC_URL", "", "where people reach realty, for links in e-mails; empty: http:// and REALTY_HTTP_ADDR", setString(func(c *Config) *string { return &c.PublicURL })},
		{"REALTY_BACKUP_INTERVAL", "off", "how often serve writes a backup (e.g. 24h, at least 1m); off: scheduled backups off", setInterval(func(c *Config) *time.Duration { return &c.BackupInterval })},
		{"REALTY_BACKUP_DIR", "", "directory of backups (realty backup's default and the schedule's); empty: REALTY_DATA_DIR/backups", setString(func(c *Config) *string { return &c.BackupDir })},
		{"REALTY_BACKUP_KEEP_DAILY", "7", "scheduled backups kept: the newest of each of the last N days that have one", setInt(func(c *Config) *int { return &c.BackupKeepDaily })},
		{"REALTY_BACKUP_KEEP_WEEKLY", "4", "scheduled backups kept besides: the newest of each of the last N weeks that have one", setInt(func(c *Config) *int { return &c.BackupKeepWeekly })},
		{"REALTY_WAL_ARCHIVE_DIR", "", "directory the embedded cluster archives WAL into, for point-in-time recovery; empty: REALTY_DATA_DIR/wal-archive; off: no archiving", setString(func(c *Config) *string { return &c.WALArchiveDir })},
		{"REALTY_BASE_BACKUP_DIR", "", "directory of base backups (pg_basebackup) for point-in-time recovery; empty: REALTY_DATA_DIR/base-backups", setString(func(c *Config) *string { return &c.BaseBackupDir })},
		{"REALTY_BASE_BACKUP_INTERVAL", "24h", "how often serve takes a base backup while the embedded cluster archives WAL; off: never (the archive is then never pruned)", setInterval(func(c *Config) *time.Duration { return &c.BaseBackupInterval })},
		{"REALTY_BASE_BACKUP_KEEP", "2", "scheduled base backups kept (WAL older than the oldest kept base backup is removed from the archive)", setInt(func(c *Config) *int { return &c.BaseBackupKeep })},
		{"REALTY_LOG_FORMAT", "auto", "auto (text on a terminal, JSON otherwise), text or json", setString(func(c *Config) *string { return &c.LogFormat })},
		{"REALTY_LOG_LEVEL", "info", "debug, info, warn or error", setString(func(c *Config) *string { return &c.LogLevel })},
	}
}

// Load reads every setting from getenv, falling back to defaults, and
// validates the result. The error names the variable at fault.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	for _, v := range variables() {
		raw := getenv(v.env)
		if raw == "" {
			raw = v.def
		}
		if err := v.set(&c, raw); err != nil {
			return c, realty.FieldError(v.env, err.Error())
		}
	}
	return c, c.Validate()
}

// Validate checks the settings together; the error names the variable at
// fault.
func (c *Config) Validate() error {
	if c.AdminDatabaseURL == "" {
		c.AdminDatabaseURL = c.DatabaseURL
	}
	for _, v := range [][2]string{{"REALTY_DATABASE_URL", c.DatabaseURL}, {"REALTY_ADMIN_DATABASE_URL", c.AdminDatabaseURL}} {
		if v[1] == "" {
			continue
		}
		if p, err := url.Parse(v[1]); err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
			return realty.FieldError(v[0], "must be a postgres:// URL")
		}
	}
	if c.DataDir == "" {
		return realty.FieldError("REALTY_DATA_DIR", "must not be empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return realty.FieldError("REALTY_DATA_DIR", err.Error())
	}
	c.DataDir = abs
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return realty.FieldError("REALTY_HTTP_ADDR", "must be host:port")
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			return realty.FieldError("REALTY_DEBUG_ADDR", "must be host:port")
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return realty.FieldError("REALTY_METRICS_ADDR", "must be host:port")
		}
	}
	if c.JobRescueAfter < c.ImportTimeout || c.JobRescueAfter < time.Minute {
		return realty.FieldError("REALTY_JOB_RESCUE_AFTER", "must be at least REALTY_IMPORT_TIMEOUT and a minute (the longest a job may run)")
	}
	if c.PoolSize < 0 || c.PoolSize > 1000 {
		return realty.FieldError("REALTY_POOL_SIZE", "must be between 0 and 1000")
	}
	if c.RateLimit < 0 || c.RateLimit > 1_000_000 {
		return realty.FieldError("REALTY_RATE_LIMIT_PER_MINUTE", "must be between 0 and 1000000")
	}
	if c.MaxBodyBytes < 1024 {
		return realty.FieldError("REALTY_MAX_BODY_BYTES", "must be at least 1024")
	}
	if c.MediaMaxBytes < 1024 || c.MediaMaxBytes > c.MaxBodyBytes-64*1024 {
		return realty.FieldError("REALTY_MEDIA_MAX_BYTES", "must be at least 1024 and 64 KiB below REALTY_MAX_BODY_BYTES")
	}
	if !slices.Contains([]string{"auto", "always", "never"}, c.CookieSecure) {
		return realty.FieldError("REALTY_COOKIE_SECURE", "must be auto, always or never")
	}
	if c.SessionIdleTimeout > c.SessionLifetime {
		return realty.FieldError("REALTY_SESSION_IDLE_TIMEOUT", "must not exceed REALTY_SESSION_LIFETIME")
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if err := c.validateBackup(); err != nil {
		return err
	}
	if !slices.Contains([]string{"auto", "text", "json"}, c.LogFormat) {
		return realty.FieldError("REALTY_LOG_FORMAT", "must be auto, text or json")
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		return realty.FieldError("REALTY_LOG_LEVEL", "must be debug, info, warn or error")
	}
	return nil
}

// validateMail checks the SMTP settings and the public URL.
func (c *Config) validateMail() error {
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return realty.FieldError("REALTY_SMTP_PORT", "must be between 1 and 65535")
	}
	if !slices.Contains([]string{"starttls", "tls", "none"}, c.SMTPTLS) {
		return realty.FieldError("REALTY_SMTP_TLS", "must be starttls, tls or none")
	}
	if c.SMTPHost != "" {
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			return realty.FieldError("REALTY_SMTP_FROM", "must be an e-mail address when REALTY_SMTP_HOST is set")
		}
	}
	if c.PublicURL != "" {
		if p, err := url.Parse(c.PublicURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return realty.FieldError("REALTY_PUBLIC_URL", "must be an http:// or https:// URL")
		}
	}
	return nil
}

// BaseURL is where people reach realty: PublicURL, or http:// and
// HTTPAddr, without a trailing slash.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.HTTPAddr
}

// Embedded reports whether realty runs its own PostgreSQL cluster.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// BindFlags registers a flag for each named setting on fs, defaulting to the
// loaded value; after fs.Parse, call Validate again. Names are the variables'
// names without REALTY_, lower-cased with dashes (REALTY_HTTP_ADDR → -http-addr).
func (c *Config) BindFlags(fs *flag.FlagSet, names ...string) {
	for _, v := range variables() {
		name := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(v.env, "REALTY_"), "_", "-"))
		if !slices.Contains(names, name) {
			continue
		}
		fs.Func(name, v.usage+" ("+v.env+")", func(s string) error { return v.set(c, s) })
	}
}

// Doc lists every variable with its default and meaning, for help output
// and the README's configuration table.
func Doc() [][3]string {
	var out [][3]string
	for _, v := range variables() {
		out = append(out, [3]string{v.env, v.def, v.usage})
	}
	return out
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		*field(c) = b
		return nil
	}
}

func setInt(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("must be a whole number")
		}
		*field(c) = n
		return nil
	}
}

func setInt64(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("must be a whole number")
		}
		*field(c) = n
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("must be a positive duration such as 30s")
		}
		*field(c) = d
		return nil
	}
}

// setInterval reads a duration that may be off ("off" or "0").
func setInterval(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "off" || v == "0" {
			*field(c) = 0
			return nil
		}
		return setDuration(field)(c, v)
	}
}

func setSettings(c *Config, v string) error {
	c.PGSettings = map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("%q is not key=value", kv)
		}
		c.PGSettings[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return nil
}
