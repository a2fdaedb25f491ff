package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuthChannel is the PostgreSQL notification channel credential changes are
// announced on (AnnounceAuthChange): a key revoked, expired early or given
// other permissions; a membership or an account ended.
const AuthChannel = "realty_auth"

// Credential changes announced on AuthChannel, as the payload names them.
const (
	ChangedAPIKeys = "identity.api_keys"
	ChangedMembers = "org.members"
	ChangedUsers   = "identity.users"
)

// AnnounceAuthChange tells every process caching API keys (WatchAuthChanges)
// that what a key's validity depends on changed: a key's revocation, expiry
// or permissions (ChangedAPIKeys), a membership's status (ChangedMembers),
// an account's status (ChangedUsers). Call it in the transaction that makes
// the change: the notification is delivered at commit, and only if the
// transaction commits. It is the one place realty notifies (triggers do not,
// so that the schema can be distributed on Citus); a statement that changes
// one of those columns without it leaves other processes a stale key for up
// to keyCacheTTL. Errors are the database's.
func AnnounceAuthChange(ctx context.Context, tx pgx.Tx, what string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, AuthChannel, what); err != nil {
		return fmt.Errorf("announce %s change: %w", what, err)
	}
	return nil
}

// keyCacheTTL bounds how long a resolved key is reused even when no change
// is announced (a belt to the notifications' braces).
const keyCacheTTL = 30 * time.Second

// keyCache keeps resolved API keys in memory, so a request authenticated
// by a key costs no database round trip. It is on only while a listener on
// AuthChannel is connected (WatchAuthChanges): every announced change
// empties it, and so does losing the listener. The generation guards the
// race between a lookup and a flush: a lookup that began before a flush is
// not stored after it.
type keyCache struct {
	mu      sync.Mutex
	on      bool
	gen     uint64
	entries map[string]cachedKey
}

type cachedKey struct {
	key keyAuth
	at  time.Time
}

// get returns the cached key for prefix, and the generation a lookup made
// now must present to store its result.
func (c *keyCache) get(prefix string, now time.Time) (keyAuth, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[prefix]
	if !c.on || !ok || now.Sub(e.at) >= keyCacheTTL {
		return keyAuth{}, false, c.gen
	}
	return e.key, true, c.gen
}

// put stores a looked-up key unless the cache was flushed since gen.
func (c *keyCache) put(prefix string, k keyAuth, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on || gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[string]cachedKey{}
	}
	c.entries[prefix] = cachedKey{key: k, at: now}
}

// touched records a key's new last use in its cached copy.
func (c *keyCache) touched(prefix string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[prefix]; ok {
		e.key.LastUsedAt = &at
		c.entries[prefix] = e
	}
}

// flush forgets every key and turns the cache on or off.
func (c *keyCache) flush(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = on
	c.gen++
	clear(c.entries)
}

// WatchAuthChanges listens on AuthChannel over its own connection (connect
// opens it) until ctx ends, emptying the key cache at every announced
// change. The cache is used only while the listener is connected; a lost
// connection turns it off until a new one listens again, retried every
// second. It returns when ctx ends.
func (s *Service) WatchAuthChanges(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), log *slog.Logger) {
	defer s.keys.flush(false)
	for ctx.Err() == nil {
		err := s.listen(ctx, connect)
		s.keys.flush(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("credential change listener lost; API keys are looked up on every request until it is back", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *Service) listen(ctx context.Context, connect func(context.Context) (*pgx.Conn, error)) error {
	conn, err := connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+AuthChannel); err != nil {
		return err
	}
	s.keys.flush(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return errors.Join(errors.New("wait for notification"), err)
		}
		s.keys.flush(true)
	}
}
