package postgres

import (
	"encoding/base64"
	"encoding/json"

	"realty"
)

// EncodeCursor returns an opaque keyset cursor holding the values of the
// last row of a page, in sort order.
func EncodeCursor(values ...any) string {
	b, _ := json.Marshal(values)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor into targets (pointers,
// in the same order). It returns an Invalid error naming "cursor" for
// anything else.
func DecodeCursor(cursor string, targets ...any) error {
	bad := realty.FieldError("cursor", "is not a cursor this API returned")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return bad
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(targets) {
		return bad
	}
	for i, t := range targets {
		if err := json.Unmarshal(raw[i], t); err != nil {
			return bad
		}
	}
	return nil
}
