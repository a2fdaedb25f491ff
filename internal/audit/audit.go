// Package audit reads the trail of changes and security events, and keeps
// the monthly partitions of audit.changes created ahead of time.
package audit

import "realty"

// Permissions are the audit domain's permissions.
var Permissions = []realty.Permission{
	{Name: "audit.read", Description: "Read the audit trail and security events"},
}
