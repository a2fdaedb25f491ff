package reso_test

import (
	"bufio"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ddField is a row of testdata/dd_fields.tsv: the RESO Data Dictionary 2.0
// facts of a served field (testdata/README.md says how it is made).
type ddField struct{ typ, lookup, maxLength, precision, scale string }

// readDD reads the Dictionary's facts of the served fields, by
// "Resource.Field", and the values of their lookups, by lookup name.
func readDD(t *testing.T) (map[string]ddField, map[string][]string) {
	t.Helper()
	fields := map[string]ddField{}
	for _, r := range readTSV(t, "testdata/dd_fields.tsv", 7) {
		fields[r[0]+"."+r[1]] = ddField{typ: r[2], lookup: strings.TrimPrefix(r[3], "org.reso.metadata.enums."),
			maxLength: r[4], precision: r[5], scale: r[6]}
	}
	lookups := map[string][]string{}
	for _, r := range readTSV(t, "testdata/dd_lookups.tsv", 2) {
		lookups[r[0]] = append(lookups[r[0]], r[1])
	}
	return fields, lookups
}

// readTSV reads a tab-separated file of n columns, without its header.
func readTSV(t *testing.T, path string, n int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if r := strings.Split(sc.Text(), "\t"); len(r) == n {
			rows = append(rows, r)
		} else {
			t.Fatalf("%s: %q has %d columns, want %d", path, sc.Text(), len(r), n)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return rows[1:]
}

// widerThanDictionary are the string fields whose MaxLength is the bound
// realty's database holds values to, longer than the Dictionary's
// suggested length (facets.go says why; docs/reso.md lists them).
var widerThanDictionary = map[string]int{
	"Property.City": 100, "Property.StateOrProvince": 100, "Property.PostalCode": 20,
	"Member.MemberFirstName": 100, "Member.MemberLastName": 100, "Member.MemberFullName": 201, "Member.MemberEmail": 254,
	"Member.MemberPreferredPhone": 40, "Member.JobTitle": 100, "OpenHouse.OpenHouseRemarks": 2000,
}

const lookupTerm = "RESO.OData.Metadata.LookupName"

// lookupName is a property's LookupName annotation, or "".
func lookupName(p propertyXML) string {
	for _, a := range p.Annotations {
		if a.Term == lookupTerm {
			return a.String
		}
	}
	return ""
}

// TestMetadataConformsToDictionary holds every declaration of $metadata to
// the RESO Data Dictionary 2.0 (testdata/dd_fields.tsv, dd_lookups.tsv):
// each served field is a Dictionary field of its resource with the
// Dictionary's type (Edm.Int64 for integers; a collection of the lookup
// for multi-value lookups; Edm.String with a LookupName annotation naming
// the lookup for lookups served as strings, and no annotation elsewhere),
// Precision and Scale for decimals, MaxLength for strings (the
// Dictionary's, or the store's where widerThanDictionary says), and every
// enumeration type is a Dictionary lookup with exactly its values.
func TestMetadataConformsToDictionary(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	doc := h.metadata()
	dd, lookups := readDD(t)
	served := map[string]bool{}
	for _, et := range doc.Schemas[0].EntityTypes {
		for _, p := range et.Properties {
			name := et.Name + "." + p.Name
			served[name] = true
			d, ok := dd[name]
			if !ok {
				t.Errorf("%s is served but not in testdata/dd_fields.tsv: add it with ddgen (testdata/README.md), "+
					"unless it is no Data Dictionary field of %s", name, et.Name)
				continue
			}
			checkField(t, name, p, d)
		}
	}
	for name := range dd {
		if !served[name] {
			t.Errorf("%s is in testdata/dd_fields.tsv but not served", name)
		}
	}
	values := 0
	for _, e := range doc.Schemas[1].EnumTypes {
		var members []string
		for _, m := range e.Members {
			members = append(members, m.Name)
		}
		values += len(members)
		if want, ok := lookups[e.Name]; !ok || !slices.Equal(members, want) {
			t.Errorf("EnumType %s has members %v, want the Data Dictionary's %v", e.Name, members, want)
		}
	}
	t.Logf("checked %d fields of %d entity types, %d enumerations with %d values",
		len(served), len(doc.Schemas[0].EntityTypes), len(doc.Schemas[1].EnumTypes), values)
}

// checkField checks one declared property against its Dictionary facts.
func checkField(t *testing.T, name string, p propertyXML, d ddField) {
	t.Helper()
	stringLookup := d.lookup != "" && p.Type == "Edm.String"
	switch {
	case p.Type == d.typ, stringLookup, d.lookup != "" && p.Type == "Collection("+d.typ+")":
	default:
		t.Errorf("%s is %s, the Data Dictionary says %s", name, p.Type, d.typ)
	}
	if got := lookupName(p); (stringLookup && got != d.lookup) || (!stringLookup && got != "") {
		t.Errorf("%s has LookupName %q, want %q", name, got, map[bool]string{true: d.lookup}[stringLookup])
	}
	if p.Type == "Edm.Decimal" && (p.Precision != d.precision || p.Scale != d.scale) ||
		p.Type != "Edm.Decimal" && (p.Precision != "" || p.Scale != "") {
		t.Errorf("%s Precision %q Scale %q, the Data Dictionary says %q and %q", name, p.Precision, p.Scale, d.precision, d.scale)
	}
	want := ""
	if p.Type == "Edm.String" {
		want = d.maxLength
		if w, ok := widerThanDictionary[name]; ok {
			if atoi(d.maxLength) >= w {
				t.Errorf("%s: the Dictionary's MaxLength %s is not shorter than %d", name, d.maxLength, w)
			}
			want = strconv.Itoa(w)
		}
	}
	if p.MaxLength != want {
		t.Errorf("%s MaxLength %q, want %q", name, p.MaxLength, want)
	}
}

// TestLookupResource: the Lookup set holds every value served in a field
// annotated with a LookupName, under that name, and names the Dictionary's
// value where the value is one; values are the organization's own.
func TestLookupResource(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, lookups := readDD(t)
	have := map[string]map[string]map[string]any{}
	for _, v := range h.page("/reso/odata/Lookup?$top=1000", h.keyMin).Value {
		name, value := v["LookupName"].(string), v["LookupValue"].(string)
		if have[name] == nil {
			have[name] = map[string]map[string]any{}
		}
		have[name][value] = v
		var want any
		if slices.Contains(lookups[name], value) {
			want = value
		}
		if v["StandardLookupValue"] != want || v["LegacyODataValue"] != want {
			t.Errorf("%s %q: StandardLookupValue %v, LegacyODataValue %v, want %v", name, value,
				v["StandardLookupValue"], v["LegacyODataValue"], want)
		}
	}
	annotated := 0
	for _, et := range h.metadata().Schemas[0].EntityTypes {
		for _, p := range et.Properties {
			ln := lookupName(p)
			if ln == "" {
				continue
			}
			annotated++
			for _, v := range h.page("/reso/odata/"+et.Name+"?$top=1000&$select="+p.Name, h.keyA).Value {
				if s, ok := v[p.Name].(string); ok && have[ln][s] == nil {
					t.Errorf("%s.%s = %q is not a %s value of the Lookup set", et.Name, p.Name, s, ln)
				}
			}
		}
	}
	if annotated != 6 || have["PropertySubType"]["Garden Home"] == nil || have["MlsStatus"]["Under Contract"] == nil {
		t.Errorf("%d annotated fields; lookups %v", annotated, have)
	}
	t.Run("OKByKeyAndFilter", func(t *testing.T) {
		v := have["City"]["Austin"]
		if got := h.entity("/reso/odata/Lookup('"+v["LookupKey"].(string)+"')", h.keyMin); got["LookupValue"] != "Austin" {
			t.Fatalf("by key: %v", got)
		}
		c := h.page("/reso/odata/Lookup?$filter="+url.QueryEscape("LookupName eq 'City'")+"&$orderby=LookupValue", h.keyMin)
		if got := keys(c, "LookupValue"); !slices.Equal(got, []string{"Austin", "Dallas", "Houston", "austin"}) {
			t.Fatalf("cities %v", got)
		}
	})
	t.Run("OKOwnOrganization", func(t *testing.T) {
		for _, v := range h.page("/reso/odata/Lookup?$top=1000", h.keyB).Value {
			if v["LookupValue"] == "Under Contract" || v["LookupValue"] == "Houston" {
				t.Fatalf("globex sees acme's %v", v)
			}
		}
	})
}

// TestOpenHouseLocalTypes: realty's Virtual and Association open houses
// are served, and filtered, as the Dictionary's LivestreamPublic and
// Broker; the local names are not enumeration members.
func TestOpenHouseLocalTypes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for i, want := range []string{"LivestreamPublic", "Broker"} {
		v := h.entity("/reso/odata/OpenHouse('"+h.ohLocal[i].ID.String()+"')", h.keyA)
		if v["OpenHouseType"] != want {
			t.Errorf("%s open house served as %v, want %s", h.ohLocal[i].OpenHouseType, v["OpenHouseType"], want)
		}
		c := h.page("/reso/odata/OpenHouse?$filter="+url.QueryEscape("OpenHouseType eq '"+want+"'"), h.keyA)
		if got := keys(c, "OpenHouseKey"); !slices.Equal(got, []string{h.ohLocal[i].ID.String()}) {
			t.Errorf("OpenHouseType eq %s: %v", want, got)
		}
	}
	h.odataError("/reso/odata/OpenHouse?$filter="+url.QueryEscape("OpenHouseType eq 'Virtual'"), h.keyA, 400)
}

// TestDocsListServedFields holds docs/reso.md's table of served fields to
// $metadata, row for row, so the page cannot drift from what is served.
// On a difference it prints the table to paste.
func TestDocsListServedFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dd, _ := readDD(t)
	var want []string
	for _, et := range h.metadata().Schemas[0].EntityTypes {
		for _, p := range et.Properties {
			want = append(want, docRow(et.Name, p, dd[et.Name+"."+p.Name]))
		}
	}
	doc, err := os.ReadFile("../../docs/reso.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- served fields -->\n")
	table, _, ok2 := strings.Cut(table, "<!-- /served fields -->")
	if !ok || !ok2 {
		t.Fatal("docs/reso.md has no <!-- served fields --> … <!-- /served fields --> table")
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) < 2 || !slices.Equal(lines[2:], want) {
		t.Errorf("docs/reso.md's served fields differ from $metadata; the table is:\n%s\n%s", docHeader, strings.Join(want, "\n"))
	}
}

const docHeader = "| resource | field | type | facets | LookupName |\n|---|---|---|---|---|"

// docRow is a served field as docs/reso.md lists it.
func docRow(set string, p propertyXML, d ddField) string {
	var facets []string
	if p.MaxLength != "" {
		facets = append(facets, "MaxLength "+p.MaxLength)
		if p.MaxLength != d.maxLength {
			facets[0] += " (Dictionary: " + d.maxLength + ")"
		}
	}
	if p.Precision != "" {
		facets = append(facets, "Precision "+p.Precision+", Scale "+p.Scale)
	}
	if p.Nullable == "false" {
		facets = append(facets, "not null")
	}
	return "| " + set + " | " + p.Name + " | " + strings.ReplaceAll(p.Type, "org.reso.metadata.enums.", "enums.") + " | " +
		strings.Join(facets, "; ") + " | " + lookupName(p) + " |"
}
