package realty_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"realty"
)

func TestNewID(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		before := time.Now().UnixMilli()
		id := realty.NewID()
		after := time.Now().UnixMilli()
		if v := id[6] >> 4; v != 7 {
			t.Fatalf("version = %d, want 7", v)
		}
		if v := id[8] >> 6; v != 2 {
			t.Fatalf("variant bits = %b, want 10", v)
		}
		var ms int64
		for _, b := range id[0:6] {
			ms = ms<<8 | int64(b)
		}
		if ms < before || ms > after {
			t.Fatalf("timestamp %d outside [%d, %d]", ms, before, after)
		}
	})
	t.Run("OKSortsByTime", func(t *testing.T) {
		a := realty.NewID()
		time.Sleep(2 * time.Millisecond)
		b := realty.NewID()
		if a.String() >= b.String() {
			t.Fatalf("%s made first does not sort before %s", a, b)
		}
	})
}

func TestParseID(t *testing.T) {
	t.Parallel()
	t.Run("OKRoundTrip", func(t *testing.T) {
		id := realty.NewID()
		got, err := realty.ParseID(strings.ToUpper(id.String()))
		if err != nil || got != id {
			t.Fatalf("ParseID(%s) = %s, %v", id, got, err)
		}
	})
	for _, bad := range []string{"", "x", "0190c2a4-7c2b-7cc1-9d2c-4f5e6a7b8c9", "0190c2a47c2b-7cc1-9d2c-4f5e6a7b8c9d0", "zz90c2a4-7c2b-7cc1-9d2c-4f5e6a7b8c9d"} {
		t.Run("ErrInvalid/"+bad, func(t *testing.T) {
			_, err := realty.ParseID(bad)
			if realty.KindOf(err) != realty.Invalid {
				t.Fatalf("ParseID(%q) kind = %q, want invalid", bad, realty.KindOf(err))
			}
		})
	}
	t.Run("OKJSON", func(t *testing.T) {
		in := struct{ ID realty.ID }{realty.NewID()}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ ID realty.ID }
		if err := json.Unmarshal(b, &out); err != nil || out != in {
			t.Fatalf("round trip %s → %+v, %v", b, out, err)
		}
	})
}

func TestActor(t *testing.T) {
	t.Parallel()
	org := realty.NewID()
	prop := realty.NewID()
	agent := realty.Actor{OrgID: org, UserID: realty.NewID(), Permissions: []string{"listing.read"}, PropertyScope: []realty.ID{prop}}
	t.Run("OK", func(t *testing.T) {
		if err := agent.Require("listing.read"); err != nil {
			t.Fatal(err)
		}
		if !agent.InScope(prop) || agent.InScope(realty.NewID()) {
			t.Fatal("property scope not applied")
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if k := realty.KindOf(agent.Require("ledger.post")); k != realty.Forbidden {
			t.Fatalf("kind = %q, want forbidden", k)
		}
	})
	t.Run("ErrNoOrganization", func(t *testing.T) {
		if k := realty.KindOf(realty.Actor{UserID: realty.NewID()}.Require("listing.read")); k != realty.Forbidden {
			t.Fatalf("kind = %q, want forbidden", k)
		}
	})
	t.Run("OKSystem", func(t *testing.T) {
		sys := realty.System(org)
		if !sys.IsSystem() || sys.Require("ledger.post") != nil || !sys.InScope(prop) {
			t.Fatal("System actor must hold every permission and scope")
		}
	})
}

func TestError(t *testing.T) {
	t.Parallel()
	cause := errors.New("duplicate key")
	err := fmt.Errorf("create listing: %w", realty.Errorf(realty.Conflict, "listing key taken: %w", cause))
	if realty.KindOf(err) != realty.Conflict {
		t.Fatalf("KindOf = %q", realty.KindOf(err))
	}
	if !errors.Is(err, cause) {
		t.Fatal("cause not kept in the chain")
	}
	if got := realty.MessageOf(errors.New("secret detail")); got != "internal error" {
		t.Fatalf("MessageOf(unknown) = %q, leaks the text", got)
	}
	if realty.KindOf(nil) != "" {
		t.Fatal("KindOf(nil) must be empty")
	}
	f := realty.FieldError("list_price", "must be positive")
	if realty.FieldsOf(f)["list_price"] != "must be positive" || realty.KindOf(f) != realty.Invalid {
		t.Fatalf("FieldError = %+v", f)
	}
}
