package crm

import "context"

// engagementWindow is how far back kept and missed appointments and the
// client's verdicts on matches count.
const engagementWindow = 90 * day

// Appointment points: each kept (completed) appointment of the last 90
// days, each missed one (no_show), both capped, and one upcoming
// scheduled or confirmed appointment.
const (
	keptPoints, keptCap     = 5, 15
	missedPoints, missedCap = -5, -15
	upcomingPoints          = 10
)

// appointmentSignal: appointments with the client kept and missed in the
// last 90 days, and whether one is coming up.
func appointmentSignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	var kept, missed, upcoming int
	err := e.tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE status = 'completed' AND starts_at > $3 AND starts_at <= $4)::int,
			count(*) FILTER (WHERE status = 'no_show' AND starts_at > $3 AND starts_at <= $4)::int,
			count(*) FILTER (WHERE status IN ('scheduled', 'confirmed') AND starts_at > $4)::int
		FROM crm.appointments WHERE organization_id = $1 AND client_id = $2`,
		e.org, e.client.ID, e.now.Add(-engagementWindow), e.now).Scan(&kept, &missed, &upcoming)
	if err != nil {
		return nil, err
	}
	var out []Reason
	if kept > 0 {
		out = append(out, Reason{"appointments_kept", min(kept*keptPoints, keptCap), plural(kept, "appointment") + " kept in the last 90 days"})
	}
	if missed > 0 {
		out = append(out, Reason{"appointments_missed", max(missed*missedPoints, missedCap), plural(missed, "appointment") + " missed (no-show) in the last 90 days"})
	}
	if upcoming > 0 {
		out = append(out, Reason{"appointment_upcoming", upcomingPoints, plural(upcoming, "appointment") + " coming up"})
	}
	return out, nil
}

// Match points: each listing the client marked interesting or viewed in
// the last 90 days, capped; dismissing many (dismissedMany or more) costs
// a little, as the preference likely misses what they want.
const (
	interestedPoints, interestedCap = 8, 16
	viewedPoints, viewedCap         = 2, 6
	dismissedMany, dismissedPoints  = 5, -5
)

// matchSignal: what the client made of the listings matched to them in
// the last 90 days.
func matchSignal(ctx context.Context, e *scoreEnv) ([]Reason, error) {
	var interested, viewed, dismissed int
	err := e.tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE status = 'interested')::int,
			count(*) FILTER (WHERE status = 'viewed')::int,
			count(*) FILTER (WHERE status = 'dismissed')::int
		FROM crm.property_matches WHERE organization_id = $1 AND client_id = $2 AND status_changed_at > $3`,
		e.org, e.client.ID, e.now.Add(-engagementWindow)).Scan(&interested, &viewed, &dismissed)
	if err != nil {
		return nil, err
	}
	var out []Reason
	if interested > 0 {
		out = append(out, Reason{"matches_interested", min(interested*interestedPoints, interestedCap), plural(interested, "matched listing") + " marked interesting in the last 90 days"})
	}
	if viewed > 0 {
		out = append(out, Reason{"matches_viewed", min(viewed*viewedPoints, viewedCap), plural(viewed, "matched listing") + " viewed in the last 90 days"})
	}
	if dismissed >= dismissedMany {
		out = append(out, Reason{"matches_dismissed", dismissedPoints, plural(dismissed, "matched listing") + " dismissed in the last 90 days"})
	}
	return out, nil
}
