package reso

import (
	"slices"
	"strings"

	"realty"
)

// navigation is a navigation property: from an entity of one set to the
// related entities of another, matched on a uuid. $metadata declares it,
// and $expand reads it for a whole page in one statement.
type navigation struct {
	Name       string
	From       *entitySet
	Target     *entitySet
	Collection bool
	// ParentSQL is the uuid over From's tables that TargetSQL, a uuid
	// over Target's tables, equals for the related entities.
	ParentSQL, TargetSQL string
	// Order is the $orderby of a collection's entities when none is given.
	Order string
}

// navigations are the served navigation properties, in $metadata order.
var navigations = []*navigation{
	{Name: "ListAgent", From: propertySet, Target: memberSet, ParentSQL: "l.list_agent_id", TargetSQL: "m.id"},
	{Name: "ListOffice", From: propertySet, Target: officeSet, ParentSQL: "l.organization_id", TargetSQL: "ofc.id"},
	{Name: "Media", From: propertySet, Target: mediaSet, Collection: true,
		ParentSQL: "l.property_id", TargetSQL: "m.property_id", Order: "Order"},
	{Name: "OpenHouse", From: propertySet, Target: openHouseSet, Collection: true,
		ParentSQL: "l.id", TargetSQL: "o.listing_id", Order: "OpenHouseStartTime"},
	{Name: "Office", From: memberSet, Target: officeSet, ParentSQL: "m.organization_id", TargetSQL: "ofc.id"},
}

// navigationsOf lists set's navigation properties.
func navigationsOf(set *entitySet) []*navigation {
	var out []*navigation
	for _, n := range navigations {
		if n.From == set {
			out = append(out, n)
		}
	}
	return out
}

// edmType is the type $metadata declares for the navigation property.
func (n *navigation) edmType() string {
	if n.Collection {
		return "Collection(" + namespace + "." + n.Target.Name + ")"
	}
	return namespace + "." + n.Target.Name
}

// expansion is one $expand item with its nested options.
type expansion struct {
	nav      *navigation
	fields   []*field // nested $select; every field of the target when absent
	orderby  []orderItem
	top      int // nested $top; -1 when absent
	narrowed bool
}

// nestedOptions are the options an $expand item takes in parentheses.
var nestedOptions = []string{"$select", "$top", "$orderby"}

// parseExpand reads a comma list of navigation properties of set, each
// optionally with ($select=…;$top=N;$orderby=…). Invalid, naming $expand,
// for an unknown navigation property, one given twice, an unsupported or
// malformed nested option, or $top and $orderby on a single entity.
func parseExpand(set *entitySet, v string) ([]expansion, error) {
	items, ok := splitTopLevel(v, ',')
	if !ok {
		return nil, optionError("$expand", "unbalanced parentheses")
	}
	var out []expansion
	for _, item := range items {
		e, err := parseExpandItem(set, strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(x expansion) bool { return x.nav == e.nav }) {
			return nil, optionError("$expand", "%s expanded twice", e.nav.Name)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseExpandItem(set *entitySet, item string) (expansion, error) {
	name, inner, nested := strings.Cut(item, "(")
	name = strings.TrimSpace(name)
	var nav *navigation
	for _, n := range navigationsOf(set) {
		if n.Name == name {
			nav = n
		}
	}
	if nav == nil {
		return expansion{}, optionError("$expand", "unknown navigation property %q of %s (%s)", clip(name), set.Name, navigationNames(set))
	}
	e := expansion{nav: nav, fields: nav.Target.Fields, top: -1}
	if nav.Order != "" {
		e.orderby, _ = parseOrderBy(nav.Target, nav.Order)
	}
	if !nested {
		return e, nil
	}
	inner, ok := strings.CutSuffix(strings.TrimSpace(inner), ")")
	if !ok {
		return expansion{}, optionError("$expand", "%s: close its options with )", name)
	}
	opts, _ := splitTopLevel(inner, ';')
	seen := map[string]bool{}
	for _, opt := range opts {
		if strings.TrimSpace(opt) == "" {
			continue
		}
		key, val, _ := strings.Cut(strings.TrimSpace(opt), "=")
		if !slices.Contains(nestedOptions, key) {
			return expansion{}, optionError("$expand", "%s: nested option %s is not supported (supported: %s)",
				name, clip(key), strings.Join(nestedOptions, ", "))
		}
		if seen[key] {
			return expansion{}, optionError("$expand", "%s: %s given more than once", name, key)
		}
		seen[key] = true
		if err := e.set(key, val); err != nil {
			return expansion{}, optionError("$expand", "%s: %s", name, realty.MessageOf(err))
		}
	}
	return e, nil
}

// set applies one nested option.
func (e *expansion) set(key, val string) error {
	var err error
	switch key {
	case "$select":
		e.fields, err = parseSelect(e.nav.Target, val)
		e.narrowed = len(e.fields) < len(e.nav.Target.Fields)
	case "$top", "$orderby":
		if !e.nav.Collection {
			return optionError(key, "applies to collections only: %s is one %s", e.nav.Name, e.nav.Target.Name)
		}
		if key == "$top" {
			e.top, err = parseCount(key, val, maxTop)
		} else {
			e.orderby, err = parseOrderBy(e.nav.Target, val)
		}
	}
	return err
}

// navigationNames lists what set may expand, for messages.
func navigationNames(set *entitySet) string {
	var names []string
	for _, n := range navigationsOf(set) {
		names = append(names, n.Name)
	}
	if len(names) == 0 {
		return "it has no navigation properties"
	}
	return "it has " + strings.Join(names, ", ")
}

// splitTopLevel splits s at sep outside parentheses; ok is false when the
// parentheses do not balance.
func splitTopLevel(s string, sep byte) (parts []string, ok bool) {
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil, false
			}
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:]), depth == 0
}
