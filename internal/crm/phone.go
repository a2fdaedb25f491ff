package crm

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"realty"
)

// NormalizePhone returns raw in E.164 form (+14155552671), reading a number
// without a country code as one of region (ISO 3166, "US" when empty). An
// empty raw is "". Invalid naming field for anything that is not a valid
// number.
func NormalizePhone(raw, region, field string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if region == "" {
		region = "US"
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", realty.FieldError(field, "is not a valid phone number (write it with its country code, e.g. +1 415 555 2671)")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
