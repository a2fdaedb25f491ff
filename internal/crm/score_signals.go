package crm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// signal reads one aspect of a client and returns the reasons it adds to
// the score (none, one or several; zero points are left out).
type signal func(ctx context.Context, e *scoreEnv) ([]Reason, error)

// signals are every input of the lead score, in the order docs/crm.md
// describes them; appointments and matches are in score_engagement.go.
var signals = []signal{
	recencySignal,
	frequencySignal,
	outcomeSignal,
	sourceSignal,
	stageSignal,
	nurtureSignal,
	budgetSignal,
	consentSignal,
	completenessSignal,
	appointmentSignal,
	matchSignal,
}

const day = 24 * time.Hour

// recencySteps are the points of the last contact by its age.
var recencySteps = []struct {
	within time.Duration
	points int
}{{3 * day, 25}, {7 * day, 20}, {14 * day, 12}, {30 * day, 6}}

// recencySignal: the last contact (any interaction but a note) up to now;
// none in 30 days (or none since the client was added more than 30 days
// ago) takes points away.
func recencySignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	var last *time.Time
	err := e.tx.QueryRow(ctx, `SELECT max(occurred_at) FROM crm.interactions
		WHERE organization_id = $1 AND client_id = $2 AND type <> 'note' AND occurred_at <= $3`,
		e.org, e.client.ID, e.now).Scan(&last)
	if err != nil {
		return nil, err
	}
	if last == nil {
		if e.now.Sub(e.client.CreatedAt) > 30*day {
			return []Reason{{"no_contact_30d", -10, "No contact logged since the client was added " + days(e.now.Sub(e.client.CreatedAt)) + " ago"}}, nil
		}
		return nil, nil
	}
	age := e.now.Sub(*last)
	for _, step := range recencySteps {
		if age <= step.within {
			return []Reason{{"recent_interaction", step.points, "Last contact " + days(age) + " ago"}}, nil
		}
	}
	return []Reason{{"no_contact_30d", -10, "No contact in the last 30 days (last " + days(age) + " ago)"}}, nil
}

// interactionWeights are what one contact of each type in the last 30 days
// is worth: meeting in person weighs most, a note nothing.
var interactionWeights = map[string]int{"meeting": 6, "call": 3, "sms": 2, "email": 1}

var interactionNouns = map[string]string{"meeting": "meeting", "call": "call", "sms": "text message", "email": "e-mail"}

// frequencyCap bounds the frequency points.
const frequencyCap = 20

// frequencySignal: the contacts of the last 30 days, weighted by type,
// capped.
func frequencySignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	rows, err := e.tx.Query(ctx, `SELECT type, count(*)::int FROM crm.interactions
		WHERE organization_id = $1 AND client_id = $2 AND type <> 'note' AND occurred_at > $3 AND occurred_at <= $4
		GROUP BY type`, e.org, e.client.ID, e.now.Add(-30*day), e.now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		counts[t] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	points := 0
	var parts []string
	for _, t := range []string{"meeting", "call", "sms", "email"} {
		if n := counts[t]; n > 0 {
			points += n * interactionWeights[t]
			parts = append(parts, plural(n, interactionNouns[t]))
		}
	}
	if points == 0 {
		return nil, nil
	}
	return []Reason{{"interaction_frequency", min(points, frequencyCap), strings.Join(parts, ", ") + " in the last 30 days"}}, nil
}

// Outcome words: the latest outcome of the last 30 days is read for them,
// the negative ones first ("not interested" holds "interested").
var (
	negativeOutcomes = []string{"not interested", "no answer", "no show", "no-show", "unreachable", "wrong number", "declined", "bounced", "unsubscribed"}
	positiveOutcomes = []string{"interested", "offer", "booked", "scheduled", "viewing", "pre-approved", "preapproved", "ready"}
)

// outcomeSignal: the latest recorded outcome of the last 30 days.
func outcomeSignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	var outcome *string
	err := e.tx.QueryRow(ctx, `SELECT (array_agg(outcome ORDER BY occurred_at DESC, id DESC))[1] FROM crm.interactions
		WHERE organization_id = $1 AND client_id = $2 AND outcome IS NOT NULL AND occurred_at > $3 AND occurred_at <= $4`,
		e.org, e.client.ID, e.now.Add(-30*day), e.now).Scan(&outcome)
	if err != nil || outcome == nil {
		return nil, err
	}
	o := strings.ToLower(*outcome)
	for _, w := range negativeOutcomes {
		if strings.Contains(o, w) {
			return []Reason{{"outcome_negative", -5, fmt.Sprintf("Latest outcome: %q", *outcome)}}, nil
		}
	}
	for _, w := range positiveOutcomes {
		if strings.Contains(o, w) {
			return []Reason{{"outcome_positive", 5, fmt.Sprintf("Latest outcome: %q", *outcome)}}, nil
		}
	}
	return nil, nil
}

// SourcePoints are what a lead's source is worth; another source is worth
// nothing. Sources are compared lower-cased with spaces and hyphens as
// underscores ("Open House" is open_house).
var SourcePoints = map[string]int{
	"referral": 15, "past_client": 15, "open_house": 10, "website": 8, "walk_in": 8, "sign_call": 6,
	"portal": 5, "zillow": 5, "realtor": 5, "social": 3,
}

func sourceSignal(_ context.Context, e *scoreEnv) ([]Reason, error) {
	src := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(e.client.Source)))
	if p := SourcePoints[src]; p != 0 {
		return []Reason{{"source_" + src, p, "Came through " + e.client.Source}}, nil
	}
	return nil, nil
}

// StagePoints are what each stage is worth: the further along, the more;
// a lost client loses most of the score.
var StagePoints = map[string]int{"lead": 0, "prospect": 10, "active": 20, "under_contract": 25, "closed": 0, "lost": -40}

func stageSignal(_ context.Context, e *scoreEnv) ([]Reason, error) {
	if p := StagePoints[e.client.Stage]; p != 0 {
		return []Reason{{"stage_" + e.client.Stage, p, "Stage is " + strings.ReplaceAll(e.client.Stage, "_", " ")}}, nil
	}
	return nil, nil
}

// NurturePoints are what the agent's own temperature reading is worth.
var NurturePoints = map[string]int{"new": 0, "hot": 10, "warm": 5, "cold": -10}

func nurtureSignal(_ context.Context, e *scoreEnv) ([]Reason, error) {
	if p := NurturePoints[e.client.NurtureStatus]; p != 0 {
		return []Reason{{"nurture_" + e.client.NurtureStatus, p, "Marked " + e.client.NurtureStatus + " by the agent"}}, nil
	}
	return nil, nil
}

// budgetSignal: the client's budget range against the prices of the
// organization's active sale listings. Overlapping the middle half (25th to
// 75th percentile) earns 10, overlapping only the outer 10th–90th 5, a
// budget below the 10th percentile takes 5; no budget, or no active
// listing, says nothing.
func budgetSignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	lo, hi := e.client.BudgetMin, e.client.BudgetMax
	if lo == nil && hi == nil {
		return nil, nil
	}
	m, err := e.marketOf(ctx)
	if err != nil || m.Count == 0 {
		return nil, err
	}
	overlaps := func(a, b decimal.Decimal) bool {
		return (lo == nil || lo.LessThanOrEqual(b)) && (hi == nil || hi.GreaterThanOrEqual(a))
	}
	listings := plural(m.Count, "active listing")
	switch {
	case hi != nil && hi.LessThan(m.P10):
		return []Reason{{"budget_below_market", -5, "Budget up to " + wholeMoney(*hi) + " is below 90% of the " + listings + " (10th percentile " + wholeMoney(m.P10) + ")"}}, nil
	case overlaps(m.P25, m.P75):
		return []Reason{{"budget_fits_market", 10, "Budget " + budgetText(lo, hi) + " meets the middle half of the " + listings + " (" + wholeMoney(m.P25) + "–" + wholeMoney(m.P75) + ")"}}, nil
	case overlaps(m.P10, m.P90):
		return []Reason{{"budget_near_market", 5, "Budget " + budgetText(lo, hi) + " meets the " + listings + " at their edges (" + wholeMoney(m.P10) + "–" + wholeMoney(m.P90) + ")"}}, nil
	}
	return nil, nil
}

func consentSignal(_ context.Context, e *scoreEnv) ([]Reason, error) {
	var out []Reason
	if e.client.EmailConsent {
		out = append(out, Reason{"email_consent", 5, "Agreed to be e-mailed"})
	}
	if e.client.SMSConsent {
		out = append(out, Reason{"sms_consent", 3, "Agreed to text messages"})
	}
	return out, nil
}

func completenessSignal(_ context.Context, e *scoreEnv) ([]Reason, error) {
	switch {
	case e.client.Email != nil && e.client.Phone != nil:
		return []Reason{{"contact_complete", 5, "Both an e-mail address and a phone number on file"}}, nil
	case e.client.Email == nil && e.client.Phone == nil:
		return []Reason{{"no_contact_details", -5, "Neither an e-mail address nor a phone number on file"}}, nil
	}
	return nil, nil
}

func days(d time.Duration) string {
	n := int(d / day)
	if n < 1 {
		return "less than a day"
	}
	return plural(n, "day")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func itoa(n int) string { return strconv.Itoa(n) }

func wholeMoney(d decimal.Decimal) string { return d.StringFixed(0) }

func budgetText(lo, hi *decimal.Decimal) string {
	switch {
	case lo == nil:
		return "up to " + wholeMoney(*hi)
	case hi == nil:
		return "from " + wholeMoney(*lo)
	}
	return wholeMoney(*lo) + "–" + wholeMoney(*hi)
}
