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
