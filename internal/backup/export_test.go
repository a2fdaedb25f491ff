package backup

import "context"

// TableSums reads every realty table's row count and checksum as a backup
// records them, without a dump.
func TableSums(ctx context.Context, dbURL string) (map[string]Table, error) {
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	tables, err := realtyTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := tableStats(ctx, conn, tables, true); err != nil {
		return nil, err
	}
	out := map[string]Table{}
	for _, t := range tables {
		out[t.QualifiedName()] = t
	}
	return out, nil
}
