package document_test

import (
	"context"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"realty"
	"realty/internal/document"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
)

// sharedDoc files a document visible to participants for o's agent.
func sharedDoc(t *testing.T, env fixturetest.Env, o fixture.Org, text string) document.Document {
	t.Helper()
	d := env.OpenDeal(t, o, "Shared deal")
	doc, err := env.Document.Create(context.Background(), o.Personas["agent"].Actor, document.Input{Title: "Disclosure",
		Category: "disclosure", EntityType: "deal", EntityID: d.ID, Visibility: "participants"}, file("d.txt", []byte(text)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestShareLinksRefuseAndLogWhatTheyMust(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := document.New(env.Pool, env.Blobs, env.Identity, fixturetest.MaxMedia, func() time.Time { return now })
	doc := sharedDoc(t, env, acme, "seller disclosure text")
	outside := document.Client{IP: netip.MustParseAddr("203.0.113.7"), UserAgent: "LenderBrowser/1.0"}

	one := 1
	share, token, err := svc.CreateShare(ctx, agent, doc.ID, document.ShareInput{Label: "Lender", MaxDownloads: &one, Password: "open sesame 42"})
	if err != nil || !strings.HasPrefix(token, "dsh_") || !share.HasPassword {
		t.Fatalf("share = %+v, %q, %v", share, token, err)
	}
	seen, err := svc.ViewShare(ctx, token, outside)
	if err != nil || !seen.NeedsPassword || seen.Title != "" {
		t.Fatalf("view of a password link = %+v, %v; want the password asked and the title hidden", seen, err)
	}
	if _, _, err := svc.DownloadShare(ctx, token, "wrong password", outside); realty.KindOf(err) != realty.Unauthenticated {
		t.Fatalf("wrong password: err = %v, want Unauthenticated", err)
	}
	r, got, err := svc.DownloadShare(ctx, token, "open sesame 42", outside)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "seller disclosure text" || got.Title != "Disclosure" {
		t.Fatalf("download = %q (%+v), want the document", b, got)
	}
	if _, _, err := svc.DownloadShare(ctx, token, "open sesame 42", outside); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("download past max_downloads: err = %v, want Forbidden", err)
	}

	// Expired and revoked links.
	_, expiring, err := svc.CreateShare(ctx, agent, doc.ID, document.ShareInput{ExpiresInDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ViewShare(ctx, expiring, outside); err != nil {
		t.Fatalf("a fresh link: %v", err)
	}
	now = now.Add(25 * time.Hour)
	if _, err := svc.ViewShare(ctx, expiring, outside); realty.KindOf(err) != realty.Forbidden || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired link: err = %v, want Forbidden saying expired", err)
	}
	revoked, revokedToken, err := svc.CreateShare(ctx, agent, doc.ID, document.ShareInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeShare(ctx, agent, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.DownloadShare(ctx, revokedToken, "", outside); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("a revoked link: err = %v, want Forbidden", err)
	}

	log, err := env.Document.AccessLog(ctx, agent, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range log {
		actions = append(actions, l.Action+":"+deref(l.Reason))
		if l.ShareID == nil || l.IP == nil || l.IP.String() != "203.0.113.7" || l.UserAgent == nil {
			t.Errorf("log line %+v lacks its link, address or agent", l)
		}
	}
	want := "refused:revoked refused:expired view: refused:download limit reached download: refused:wrong password view:"
	if strings.Join(actions, " ") != want {
		t.Fatalf("access log = %v, want %s", actions, want)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestShareLinkNeverOpensAnotherOrganizationsDocument(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	doc := sharedDoc(t, env, acme, "acme secret")
	_, token, err := env.Document.CreateShare(ctx, acme.Personas["agent"].Actor, doc.ID, document.ShareInput{})
	if err != nil {
		t.Fatal(err)
	}
	// The same secret presented as globex's link names nothing in globex.
	secret := token[strings.LastIndexByte(token, '_'):]
	orgID := globex.Organization.ID
	forged := "dsh_" + strings.ReplaceAll(orgID.String(), "-", "") + secret
	if _, _, err := env.Document.DownloadShare(ctx, forged, "", document.Client{}); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("acme's secret under globex's id: err = %v, want NotFound", err)
	}
	for _, bad := range []string{"", "dsh_", "dsh_zz_abc", token + "x", strings.Replace(token, "dsh_", "inv_", 1)} {
		if _, err := env.Document.ViewShare(ctx, bad, document.Client{}); realty.KindOf(err) != realty.NotFound {
			t.Errorf("token %q: err = %v, want NotFound", bad, err)
		}
	}
	// Globex's members cannot see, share or revoke it either.
	gb := globex.Personas["broker"].Actor
	if _, err := env.Document.Get(ctx, gb, doc.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("globex reads acme's document: %v", err)
	}
	if _, _, err := env.Document.CreateShare(ctx, gb, doc.ID, document.ShareInput{}); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("globex shares acme's document: %v", err)
	}
	if _, err := env.Document.ViewShare(ctx, token, document.Client{}); err != nil {
		t.Fatalf("the genuine link: %v", err)
	}
}

func TestStaffDocumentsAreNotSharedAndPermissionsHold(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "deal")
	doc, err := env.Document.Create(ctx, acme.Personas["agent"].Actor, document.Input{Title: "Commission sheet", Category: "commission",
		EntityType: "deal", EntityID: d.ID}, file("c.txt", []byte("internal")))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Document.CreateShare(ctx, acme.Personas["agent"].Actor, doc.ID, document.ShareInput{}); realty.FieldsOf(err)["visibility"] == "" {
		t.Fatalf("sharing a staff document: err = %v, want a field error on visibility", err)
	}
	if err := env.Document.Delete(ctx, acme.Personas["agent"].Actor, doc.ID); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("an agent deletes: err = %v, want Forbidden", err)
	}
	if _, err := env.Document.AccessLog(ctx, acme.Personas["accountant"].Actor, doc.ID); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("an accountant reads the access log: err = %v, want Forbidden", err)
	}
	if err := env.Document.Delete(ctx, acme.Personas["broker"].Actor, doc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Document.Get(ctx, acme.Personas["broker"].Actor, doc.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("a deleted document: err = %v, want NotFound", err)
	}
}
