package listing

// SummaryTargets exposes the positional scan destinations to tests.
func (s *Summary) SummaryTargets() []any { return s.summaryTargets() }
