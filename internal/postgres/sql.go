package postgres

import "strings"

// Prefix qualifies each column of a comma-separated select list with a table
// alias ("id, name AS n" → "m.id, m.name AS n").
func Prefix(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Plan modes a transaction can switch between, statement by statement.
// GenericPlans plans prepared statements for an average parameter: a probe
// of one organization's rows then uses the index on the key it probes, even
// when the statistics predate the organization's rows (they lag behind a
// large import) and a custom plan would believe it has none. DefaultPlans
// returns to PostgreSQL's choice; it also rules the statements of the
// triggers an insert fires, which forced custom plans would plan again for
// every row.
const (
	GenericPlans = "SET LOCAL plan_cache_mode = force_generic_plan"
	DefaultPlans = "SET LOCAL plan_cache_mode TO DEFAULT"
)
