package reso

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"realty"
)

// Paging limits. $top is the page size: default 100, at most 1000 (larger
// values are served 1000 at a time, and the response says so in the
// X-Max-Top header).
const (
	defaultTop = 100
	maxTop     = 1000
	maxOrderBy = 8
	maxSkip    = 1 << 31
)

// options are a request's validated query options.
type options struct {
	fields    []*field // $select, in table order; every field when absent
	filter    string
	orderby   []orderItem
	top       int
	topGiven  bool
	capped    bool // $top was above maxTop
	skip      int
	count     bool
	skiptoken string
	expand    []expansion
	// pageSize is the client's odata.maxpagesize preference applied (0
	// when it sent none).
	pageSize int
}

type orderItem struct {
	f    *field
	desc bool
}

// keyset says the page is ordered by ModificationTimestamp (the default):
// next links then carry a $skiptoken keyset instead of a larger $skip.
func (o options) keyset(set *entitySet) bool {
	return len(o.orderby) == 0 || (len(o.orderby) == 1 && o.orderby[0].f == set.modified() && !o.orderby[0].desc)
}

func optionError(option, format string, args ...any) error {
	e := realty.Errorf(realty.Invalid, option+": "+format, args...)
	e.Fields = map[string]string{option: e.Message}
	return e
}

// entityOptions are the options allowed when one entity is addressed by key.
var entityOptions = []string{"$select", "$format", "$expand"}

var collectionOptions = []string{"$select", "$format", "$filter", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$expand"}

// parseOptions reads the system query options of a request for set (one
// entity by key when single). Custom options (without $) are ignored; an
// unknown or repeated system option, an unknown field, or a malformed value
// is Invalid, naming the option.
func parseOptions(set *entitySet, rawQuery string, single bool) (options, error) {
	if single {
		return parseAllowed(set, rawQuery, entityOptions)
	}
	return parseAllowed(set, rawQuery, collectionOptions)
}

// countOptions are the options of an entity set's /$count.
var countOptions = []string{"$filter", "$format"}

// parseAllowed is parseOptions with the system options allowed listed.
func parseAllowed(set *entitySet, rawQuery string, allowed []string) (options, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return options{}, optionError("query", "malformed query string")
	}
	o := options{fields: set.Fields, top: defaultTop}
	for name, vs := range values {
		if !strings.HasPrefix(name, "$") {
			continue
		}
		if !slices.Contains(allowed, name) {
			return options{}, optionError(name, "not supported here (supported: %s)", strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return options{}, optionError(name, "given more than once")
		}
		if err := o.set(set, name, vs[0]); err != nil {
			return options{}, err
		}
	}
	if o.skiptoken != "" && !o.keyset(set) {
		return options{}, optionError("$skiptoken", "only pages ordered by ModificationTimestamp carry one")
	}
	return o, nil
}

func (o *options) set(set *entitySet, name, v string) error {
	var err error
	switch name {
	case "$select":
		o.fields, err = parseSelect(set, v)
	case "$filter":
		o.filter = v
		if strings.TrimSpace(v) == "" {
			err = optionError(name, "is empty")
		}
	case "$orderby":
		o.orderby, err = parseOrderBy(set, v)
	case "$top":
		o.top, err = parseCount(name, v, maxSkip)
		o.topGiven = true
		if o.top > maxTop {
			o.top, o.capped = maxTop, true
		}
	case "$skip":
		o.skip, err = parseCount(name, v, maxSkip)
	case "$count":
		if v != "true" && v != "false" {
			err = optionError(name, "must be true or false")
		}
		o.count = v == "true"
	case "$skiptoken":
		o.skiptoken = v
	case "$expand":
		o.expand, err = parseExpand(set, v)
	case "$format":
		if v != "json" && !strings.HasPrefix(v, "application/json") {
			err = optionError(name, "only json is served")
		}
	}
	return err
}

func parseCount(name, v string, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > max {
		return 0, optionError(name, "must be a whole number from 0 to %d", max)
	}
	return n, nil
}

// parseSelect reads a comma list of field names (or *); the fields are
// served in the table's order.
func parseSelect(set *entitySet, v string) ([]*field, error) {
	chosen := map[*field]bool{}
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		if name == "*" {
			return set.Fields, nil
		}
		f := set.field(name)
		if f == nil {
			return nil, optionError("$select", "unknown field %q of %s (names are case-sensitive)", name, set.Name)
		}
		chosen[f] = true
	}
	var out []*field
	for _, f := range set.Fields {
		if chosen[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// parseOrderBy reads "Field [asc|desc], …" over sortable fields: any but
// collections and per-request values.
func parseOrderBy(set *entitySet, v string) ([]orderItem, error) {
	var out []orderItem
	for _, item := range strings.Split(v, ",") {
		words := strings.Fields(item)
		if len(words) == 0 || len(words) > 2 || (len(words) == 2 && words[1] != "asc" && words[1] != "desc") {
			return nil, optionError("$orderby", "write Field, Field asc or Field desc, separated by commas")
		}
		f := set.field(words[0])
		switch {
		case f == nil:
			return nil, optionError("$orderby", "unknown field %q of %s (names are case-sensitive)", words[0], set.Name)
		case f.Kind == kCollection || f.NoFilter:
			return nil, optionError("$orderby", "%s cannot be ordered by", f.Name)
		}
		out = append(out, orderItem{f: f, desc: len(words) == 2 && words[1] == "desc"})
	}
	if len(out) > maxOrderBy {
		return nil, optionError("$orderby", "at most %d fields", maxOrderBy)
	}
	return out, nil
}

// preferPageSize applies an odata.maxpagesize preference (Prefer header)
// to the page size: the page holds at most that many entities, and never
// more than maxTop or $top. It returns the Preference-Applied value, empty
// when no valid preference was sent. Other preferences are ignored.
func (o *options) preferPageSize(prefer []string) string {
	for _, header := range prefer {
		for _, pref := range strings.Split(header, ",") {
			name, v, _ := strings.Cut(strings.TrimSpace(pref), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "odata.maxpagesize" && name != "maxpagesize" {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`))
			if err != nil || n < 1 {
				continue
			}
			o.pageSize = min(n, maxTop)
			if o.pageSize < o.top || !o.topGiven {
				o.top = o.pageSize
			}
			return "odata.maxpagesize=" + strconv.Itoa(o.pageSize)
		}
	}
	return ""
}
