package crm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/property"
)

// clock is a test's settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// clocked is the env's CRM on a clock of the test's own.
func clocked(env fixturetest.Env) (*crm.Service, *clock) {
	c := &clock{t: time.Now()}
	return crm.New(env.Pool, env.Org, c.now, env.Messaging, env.Listing, env.Jobs), c
}

func scoreOf(t *testing.T, svc *crm.Service, actor realty.Actor, id realty.ID) crm.Score {
	t.Helper()
	s, err := svc.ClientScore(context.Background(), actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rescore(t *testing.T, svc *crm.Service, actor realty.Actor, id realty.ID) crm.Score {
	t.Helper()
	if err := svc.Rescore(context.Background(), actor.OrgID, id); err != nil {
		t.Fatal(err)
	}
	return scoreOf(t, svc, actor, id)
}

// checkSum fails unless the reasons add up to the score, the score is
// within 0–100 and the reasons come largest |points| first (clamp last).
func checkSum(t *testing.T, s crm.Score) {
	t.Helper()
	if s.Score == nil || *s.Score < 0 || *s.Score > 100 || crm.Sum(s.Reasons) != *s.Score {
		t.Fatalf("score %v, reasons %+v add up to %d", s.Score, s.Reasons, crm.Sum(s.Reasons))
	}
	for i := 1; i < len(s.Reasons); i++ {
		a, b := s.Reasons[i-1], s.Reasons[i]
		if b.Code != "clamp" && absInt(b.Points) > absInt(a.Points) {
			t.Fatalf("reasons out of order: %+v", s.Reasons)
		}
	}
}

func absInt(n int) int { return max(n, -n) }

func reasonPoints(s crm.Score, code string) (int, bool) {
	for _, r := range s.Reasons {
		if r.Code == code {
			return r.Points, true
		}
	}
	return 0, false
}

// addListings lists homes at the prices given in o's organization.
func addListings(t *testing.T, env fixturetest.Env, actor realty.Actor, prices ...string) {
	t.Helper()
	for i, p := range prices {
		price := decimal.RequireFromString(p)
		key := fmt.Sprintf("S%d-%d", seq.Add(1), i)
		if _, err := env.Listing.Create(context.Background(), actor, listing.Input{ListingKey: key,
			Property: &property.Input{AddressLine1: "1 " + key + " Street", City: "Austin", StateProvince: "TX"},
			Fields:   listing.Fields{ListPrice: &price}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScoreReasonsAddUp: over many random clients (sources, stages,
// temperatures, budgets, consent, contact details and histories of
// interactions), the stored score is within 0–100 and is exactly the sum of
// its reasons, which come largest first.
func TestScoreReasonsAddUp(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	addListings(t, env, broker, "200000", "300000", "400000", "500000", "900000")
	svc, clk := clocked(env)
	rng := rand.New(rand.NewPCG(12, 1))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	clamped := 0
	seen := map[string]bool{}
	for i := range 80 {
		in := crm.Input{FirstName: fmt.Sprintf("C%d", i), Source: pick("manual", "referral", "website", "Open House", "zillow", "other"),
			Stage: pick(crm.Stages...), NurtureStatus: pick("new", "hot", "warm", "cold"),
			EmailConsent: rng.IntN(2) == 0, SMSConsent: rng.IntN(2) == 0}
		if rng.IntN(3) > 0 {
			in.Email = fmt.Sprintf("c%d@example.com", i)
		}
		if rng.IntN(2) == 0 {
			in.Phone = fmt.Sprintf("+1415555%04d", i)
		}
		if rng.IntN(3) > 0 {
			lo := decimal.NewFromInt(int64(rng.IntN(12)) * 100000)
			in.BudgetMin, in.BudgetMax = &lo, ptr(lo.Add(decimal.NewFromInt(int64(rng.IntN(4))*100000)))
		}
		c := mustClient(t, env, broker, in)
		for range rng.IntN(12) {
			if _, err := svc.LogInteraction(ctx, broker, c.ID, crm.InteractionInput{Type: pick(crm.InteractionTypes...),
				Outcome:    pick("", "interested", "not interested", "left voicemail", "offer made"),
				OccurredAt: clk.now().Add(-time.Duration(rng.IntN(60*24)) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		engage(t, svc, broker, c.ID, rng, clk.now())
		s := rescore(t, svc, broker, c.ID)
		checkSum(t, s)
		if _, ok := reasonPoints(s, "clamp"); ok {
			clamped++
		}
		for _, r := range s.Reasons {
			seen[r.Code] = true
		}
	}
	if clamped == 0 {
		t.Errorf("no random client needed clamping: the clamp reason went untested")
	}
	for _, code := range []string{"appointments_kept", "appointments_missed", "appointment_upcoming", "matches_viewed", "matches_interested"} {
		if !seen[code] {
			t.Errorf("no random client earned %s: it went untested", code)
		}
	}
}

// slotSeq gives every appointment engage books a slot of its own, so the
// broker's calendar never clashes.
var slotSeq int

// engage books random past and coming appointments for the client in
// random statuses, and for some clients saves a preference matching the
// organization's listings and gives the matches random verdicts.
func engage(t *testing.T, svc *crm.Service, actor realty.Actor, client realty.ID, rng *rand.Rand, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for range rng.IntN(4) {
		slotSeq++
		start := now.Add(-80*24*time.Hour + time.Duration(slotSeq)*5*time.Hour)
		status := []string{"", "completed", "no_show", "canceled", "confirmed"}[rng.IntN(5)]
		if rng.IntN(4) == 0 {
			start, status = now.Add(time.Duration(slotSeq)*5*time.Hour), []string{"", "confirmed"}[rng.IntN(2)]
		}
		a, err := svc.Book(ctx, actor, crm.AppointmentInput{Kind: "showing", Title: "Showing", ClientID: &client, StartsAt: start, EndsAt: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if status != "" {
			if _, err := svc.SetAppointmentStatus(ctx, actor, a.ID, status, "changed plans", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rng.IntN(3) > 0 {
		return
	}
	p, err := svc.CreatePreference(ctx, actor, client, crm.PreferenceInput{Cities: []string{"Austin"}, PriceMax: dec("1000000"), AlertFrequency: "never"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.RematchPreference(ctx, actor.OrgID, p.ID); err != nil {
		t.Fatal(err)
	}
	page, err := svc.Matches(ctx, actor, client, crm.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		if st := []string{"", "viewed", "interested", "dismissed"}[rng.IntN(4)]; st != "" {
			if _, err := svc.SetMatchStatus(ctx, actor, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestScoreSignals: each input moves the score the way docs/crm.md says.
func TestScoreSignals(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	svc, clk := clocked(env)
	c := mustClient(t, env, broker, crm.Input{FirstName: "Base", Email: "base@example.com"})
	base := rescore(t, svc, broker, c.ID)
	if *base.Score != 0 || len(base.Reasons) != 0 {
		t.Fatalf("a bare lead: %v %+v, want 0 without reasons", *base.Score, base.Reasons)
	}
	steps := []struct {
		name   string
		change func() error
		code   string
		points int
	}{
		{"a meeting today", func() error {
			_, err := svc.LogInteraction(ctx, broker, c.ID, crm.InteractionInput{Type: "meeting"})
			return err
		}, "recent_interaction", 25},
		{"", nil, "interaction_frequency", 6},
		{"a call with a good outcome", func() error {
			_, err := svc.LogInteraction(ctx, broker, c.ID, crm.InteractionInput{Type: "call", Outcome: "Very interested"})
			return err
		}, "outcome_positive", 5},
		{"", nil, "interaction_frequency", 9},
		{"referral", func() error {
			_, err := svc.Update(ctx, broker, c.ID, crm.Patch{Source: ptr("Referral")})
			return err
		}, "source_referral", 15},
		{"hot", func() error {
			_, err := svc.Update(ctx, broker, c.ID, crm.Patch{NurtureStatus: ptr("hot")})
			return err
		}, "nurture_hot", 10},
		{"prospect", func() error { _, _, err := svc.ChangeStage(ctx, broker, c.ID, "prospect", ""); return err }, "stage_prospect", 10},
		{"e-mail consent", func() error {
			_, err := svc.Update(ctx, broker, c.ID, crm.Patch{EmailConsent: ptr(true)})
			return err
		}, "email_consent", 5},
		{"a phone number too", func() error {
			_, err := svc.Update(ctx, broker, c.ID, crm.Patch{Phone: ptr("+14155550199")})
			return err
		}, "contact_complete", 5},
	}
	prev := *base.Score
	for _, st := range steps {
		if st.change != nil {
			if err := st.change(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		s := rescore(t, svc, broker, c.ID)
		checkSum(t, s)
		if p, ok := reasonPoints(s, st.code); !ok || p != st.points {
			t.Fatalf("after %s: reason %s is %d (present %v), want %d; %+v", st.name, st.code, p, ok, st.points, s.Reasons)
		}
		if st.change != nil && *s.Score <= prev {
			t.Fatalf("after %s the score went from %d to %d", st.name, prev, *s.Score)
		}
		prev = *s.Score
	}
	// Negative signals lower it.
	if _, err := svc.Update(ctx, broker, c.ID, crm.Patch{NurtureStatus: ptr("cold")}); err != nil {
		t.Fatal(err)
	}
	s := rescore(t, svc, broker, c.ID)
	if p, _ := reasonPoints(s, "nurture_cold"); p != -10 || *s.Score != prev-10-10 {
		t.Fatalf("cold: %d → %d, %+v; want −10 for cold and the +10 of hot gone", prev, *s.Score, s.Reasons)
	}
	if _, _, err := svc.ChangeStage(ctx, broker, c.ID, "lost", "bought elsewhere"); err != nil {
		t.Fatal(err)
	}
	if s := rescore(t, svc, broker, c.ID); !has(s, "stage_lost", -40) {
		t.Fatalf("lost: %+v", s.Reasons)
	}
	clk.advance(45 * 24 * time.Hour)
	if s := rescore(t, svc, broker, c.ID); !has(s, "no_contact_30d", -10) {
		t.Fatalf("45 days idle: %+v, want no_contact_30d −10", s.Reasons)
	}
}

func has(s crm.Score, code string, points int) bool {
	p, ok := reasonPoints(s, code)
	return ok && p == points
}

// TestScoreBudget: a budget within the middle half of the organization's
// active listing prices earns more than one at their edges; one below
// nearly all of them costs points; without listings a budget says nothing.
func TestScoreBudget(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	broker := acme.Personas["broker"].Actor
	svc, _ := clocked(env)
	mid := mustClient(t, env, broker, crm.Input{FirstName: "Mid", Email: "mid@example.com", BudgetMin: dec("450000"), BudgetMax: dec("550000")})
	if s := rescore(t, svc, broker, mid.ID); len(s.Reasons) != 0 {
		t.Fatalf("no listings: %+v, want no budget reason", s.Reasons)
	}
	var prices []string
	for p := 100000; p <= 1000000; p += 50000 {
		prices = append(prices, fmt.Sprint(p))
	}
	addListings(t, env, broker, prices...)
	edge := mustClient(t, env, broker, crm.Input{FirstName: "Edge", BudgetMin: dec("150000"), BudgetMax: dec("250000")})
	low := mustClient(t, env, broker, crm.Input{FirstName: "Low", BudgetMax: dec("90000")})
	for _, tc := range []struct {
		c      crm.Client
		code   string
		points int
	}{{mid, "budget_fits_market", 10}, {edge, "budget_near_market", 5}, {low, "budget_below_market", -5}} {
		if s := rescore(t, svc, broker, tc.c.ID); !has(s, tc.code, tc.points) {
			t.Errorf("%s: %+v, want %s %d", tc.c.FirstName, s.Reasons, tc.code, tc.points)
		}
	}
}

// TestScoreJob: logging an interaction enqueues the client's rescore in the
// same transaction, and the job running changes the stored score.
func TestScoreJob(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	c := mustClient(t, env, broker, crm.Input{FirstName: "Jo", Email: "jo@example.com"})
	startWorkers(t, env)
	first := waitScore(t, env.CRM, broker, c.ID, func(s crm.Score) bool { return s.Score != nil })
	if _, err := env.CRM.LogInteraction(ctx, broker, c.ID, crm.InteractionInput{Type: "meeting"}); err != nil {
		t.Fatal(err)
	}
	s := waitScore(t, env.CRM, broker, c.ID, func(s crm.Score) bool { return *s.Score > *first.Score })
	if !has(s, "recent_interaction", 25) {
		t.Fatalf("after the meeting: %+v", s.Reasons)
	}
}

func waitScore(t *testing.T, svc *crm.Service, actor realty.Actor, id realty.ID, ok func(crm.Score) bool) crm.Score {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := scoreOf(t, svc, actor, id)
		if s.Score != nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("score never came: %+v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestScoreDecay: the nightly run over an organization lowers an idle
// client's score as time passes, and leaves another organization alone.
func TestScoreDecay(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, other := env.Organization(t, "acme"), env.Organization(t, "other")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	svc, clk := clocked(env)
	c := mustClient(t, env, broker, crm.Input{FirstName: "Idle", Email: "idle@example.com"})
	if _, err := svc.LogInteraction(ctx, broker, c.ID, crm.InteractionInput{Type: "call"}); err != nil {
		t.Fatal(err)
	}
	elsewhere := mustClient(t, env, other.Personas["broker"].Actor, crm.Input{FirstName: "Else"})
	last, prevDay := 0, 0
	for i, days := range []int{0, 5, 10, 20, 40} {
		clk.advance(time.Duration(days-prevDay) * 24 * time.Hour)
		prevDay = days
		n, err := svc.RescoreAll(ctx, acme.Organization.ID)
		if err != nil || n != 1 {
			t.Fatalf("day %d: rescored %d, %v", days, n, err)
		}
		s := scoreOf(t, svc, broker, c.ID)
		checkSum(t, s)
		if i > 0 && *s.Score >= last {
			t.Fatalf("day %d: score %d, not below %d; %+v", days, *s.Score, last, s.Reasons)
		}
		last = *s.Score
	}
	if s := scoreOf(t, svc, other.Personas["broker"].Actor, elsewhere.ID); s.Score != nil {
		t.Fatalf("another organization's client was rescored: %+v", s)
	}
}

// TestScoreAccess: the score is read with the client's scope: another
// agent's client and another organization's are NotFound, a member without
// client.read is Forbidden.
func TestScoreAccess(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, other := env.Organization(t, "acme"), env.Organization(t, "other")
	ctx := context.Background()
	broker, agent := acme.Personas["broker"].Actor, acme.Personas["agent"].Actor
	mine := mustClient(t, env, agent, crm.Input{FirstName: "Mine"})
	theirs := mustClient(t, env, broker, crm.Input{FirstName: "Theirs"})
	if _, err := env.CRM.ClientScore(ctx, agent, mine.ID); err != nil {
		t.Errorf("own client: %v", err)
	}
	if _, err := env.CRM.ClientScore(ctx, broker, mine.ID); err != nil {
		t.Errorf("broker: %v", err)
	}
	if _, err := env.CRM.ClientScore(ctx, agent, theirs.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another agent's client: %v, want NotFound", err)
	}
	if _, err := env.CRM.ClientScore(ctx, other.Personas["broker"].Actor, mine.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization: %v, want NotFound", err)
	}
	if _, err := env.CRM.ClientScore(ctx, acme.Personas["viewer"].Actor, mine.ID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("without client.read: %v, want Forbidden", err)
	}
}

// TestHottestLeads: the client list sorts by score, highest first and the
// unscored last, across pages, and filters by a minimum score.
func TestHottestLeads(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	svc, _ := clocked(env)
	var want []realty.ID
	for i, nurture := range []string{"cold", "hot", "new", "warm", "hot"} {
		c := mustClient(t, env, broker, crm.Input{FirstName: fmt.Sprint("H", i), NurtureStatus: nurture, Email: fmt.Sprintf("h%d@example.com", i)})
		if i < 4 {
			rescore(t, svc, broker, c.ID)
		}
		want = append(want, c.ID)
	}
	var got []crm.Client
	cursor := ""
	for {
		p, err := svc.List(ctx, broker, crm.Filter{Sort: "score", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(got) != 5 || got[4].LeadScore != nil || got[4].ID != want[4] {
		t.Fatalf("the unscored client is not last: %+v", got)
	}
	for i := 1; i < 4; i++ {
		if *got[i].LeadScore > *got[i-1].LeadScore {
			t.Fatalf("not hottest first: %d after %d", *got[i].LeadScore, *got[i-1].LeadScore)
		}
	}
	if got[0].ID != want[1] {
		t.Errorf("hottest is %s, want the hot one", got[0].FirstName)
	}
	min := 10
	p, err := svc.List(ctx, broker, crm.Filter{MinScore: &min})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != want[1] {
		t.Fatalf("min_score 10: %+v %v", p.Items, err)
	}
	if _, err := svc.List(ctx, broker, crm.Filter{Sort: "oldest"}); realty.FieldsOf(err)["sort"] == "" {
		t.Errorf("unknown sort: %v", err)
	}
}

// startWorkers runs the CRM's job workers over env's database until the
// test ends.
func startWorkers(t *testing.T, env fixturetest.Env) {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &crm.RescoreWorker{CRM: env.CRM})
	river.AddWorker(workers, &crm.RescoreOrgWorker{CRM: env.CRM})
	river.AddWorker(workers, &crm.NightlyScoresWorker{CRM: env.CRM})
	river.AddWorker(workers, &crm.TaskRemindersWorker{CRM: env.CRM})
	client, err := river.NewClient(riverpgxv5.New(env.Pool), &river.Config{Schema: postgres.RiverSchema,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}, Workers: workers, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})
}
