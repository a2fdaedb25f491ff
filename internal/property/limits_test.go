package property_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/property"
)

// TestPropertyLimit: with max_properties set, concurrent creations at the
// limit let exactly the free room through and refuse the rest with a
// Conflict naming the limit and the count; deleting one makes room.
func TestPropertyLimit(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	first, err := env.Property.Create(ctx, owner, property.Input{AddressLine1: "1 First Street", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	env.SetPlanLimit(t, o.Organization.ID, org.LimitProperties, 4)
	var wg sync.WaitGroup
	start := make(chan struct{}) // all at once: the race the lock must win
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = env.Property.Create(ctx, owner, property.Input{AddressLine1: fmt.Sprintf("%d Rush Street", i+2), City: "Springfield"})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !org.IsPlanLimit(err) || realty.KindOf(err) != realty.Conflict:
			t.Fatalf("past the limit: %v, want a plan-limit Conflict", err)
		case !strings.Contains(realty.MessageOf(err), "allows 4 properties (max_properties) and it has 4"):
			t.Errorf("message %q does not name the limit and the count", realty.MessageOf(err))
		}
	}
	if ok != 3 {
		t.Fatalf("%d of 16 concurrent creations went through, want the 3 free", ok)
	}
	if err := env.Listing.DeleteProperty(ctx, owner, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Property.Create(ctx, owner, property.Input{AddressLine1: "99 Room Street", City: "Springfield"}); err != nil {
		t.Fatalf("after a deletion made room: %v", err)
	}
}

// TestPropertyLimitWaits: a creation checking the limit while another
// transaction has created the last property it allows waits for that
// transaction and then counts its property, instead of counting without it
// (the race the concurrent test can only hope to hit).
func TestPropertyLimitWaits(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	env.SetPlanLimit(t, o.Organization.ID, org.LimitProperties, 1)
	created, release, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce) // a failing test still ends the first transaction
	go func() {
		first <- postgres.Tx(ctx, env.Pool, owner, func(tx pgx.Tx) error {
			if _, err := property.CreateTx(ctx, tx, owner, property.Input{AddressLine1: "1 Last Street", City: "Springfield"}); err != nil {
				close(created)
				return err
			}
			close(created)
			<-release
			return nil
		})
	}()
	<-created
	second := make(chan error, 1)
	go func() {
		_, err := env.Property.Create(ctx, owner, property.Input{AddressLine1: "2 Late Street", City: "Springfield"})
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("the second creation did not wait for the first transaction: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	releaseOnce()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; !org.IsPlanLimit(err) {
		t.Fatalf("the second creation: %v, want a plan-limit Conflict", err)
	}
}
