package reso_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The parsed $metadata.
type (
	edmx struct {
		Schemas []schema `xml:"DataServices>Schema"`
	}
	schema struct {
		Namespace   string       `xml:"Namespace,attr"`
		EntityTypes []entityType `xml:"EntityType"`
		EnumTypes   []enumXML    `xml:"EnumType"`
		Sets        []struct {
			Name       string `xml:"Name,attr"`
			EntityType string `xml:"EntityType,attr"`
			Bindings   []struct {
				Path   string `xml:"Path,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"NavigationPropertyBinding"`
		} `xml:"EntityContainer>EntitySet"`
	}
	entityType struct {
		Name string `xml:"Name,attr"`
		Key  []struct {
			Name string `xml:"Name,attr"`
		} `xml:"Key>PropertyRef"`
		Properties []propertyXML `xml:"Property"`
		Navigation []struct {
			Name string `xml:"Name,attr"`
			Type string `xml:"Type,attr"`
		} `xml:"NavigationProperty"`
	}
	propertyXML struct {
		Name      string `xml:"Name,attr"`
		Type      string `xml:"Type,attr"`
		Precision string `xml:"Precision,attr"`
		Scale     string `xml:"Scale,attr"`
		Nullable  string `xml:"Nullable,attr"`
	}
	enumXML struct {
		Name    string `xml:"Name,attr"`
		Members []struct {
			Name string `xml:"Name,attr"`
		} `xml:"Member"`
	}
)

// stringLookups are the Data Dictionary lookup fields realty serves as
// Edm.String, because its values are local (free text, no standard
// members to declare): docs/reso.md says so.
var stringLookups = []string{"Property.MlsStatus", "Property.PropertySubType", "Property.City", "Property.StateOrProvince",
	"Property.Country", "Media.ResourceName"}

// localMembers are values realty adds to open enumerations.
var localMembers = map[string][]string{"OpenHouseType": {"Association", "Virtual"}}

func (h *harness) metadata() edmx {
	h.t.Helper()
	resp, body := h.get("/reso/odata/$metadata", h.keyA)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		h.t.Fatalf("$metadata = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc edmx
	if err := xml.Unmarshal(body, &doc); err != nil {
		h.t.Fatal(err)
	}
	if len(doc.Schemas) != 2 || doc.Schemas[0].Namespace != "org.reso.metadata" || doc.Schemas[1].Namespace != "org.reso.metadata.enums" {
		h.t.Fatalf("schemas %+v", doc.Schemas)
	}
	return doc
}

// TestMetadataMatchesServed holds $metadata to what is served: every
// entity of every set carries exactly the declared properties, each value
// of its declared type (and never null when declared not nullable), every
// enumeration value a declared member; and the declarations to the RESO
// Data Dictionary.
func TestMetadataMatchesServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	doc := h.metadata()
	enums := map[string][]string{}
	for _, e := range doc.Schemas[1].EnumTypes {
		for _, m := range e.Members {
			enums["org.reso.metadata.enums."+e.Name] = append(enums["org.reso.metadata.enums."+e.Name], m.Name)
		}
	}
	keys := map[string]string{"Property": "ListingKey", "Member": "MemberKey", "OpenHouse": "OpenHouseKey", "Media": "MediaKey",
		"Office": "OfficeKey"}
	if len(doc.Schemas[0].EntityTypes) != len(keys) || len(doc.Schemas[0].Sets) != len(keys) {
		t.Fatalf("entity types %d, sets %d", len(doc.Schemas[0].EntityTypes), len(doc.Schemas[0].Sets))
	}
	for _, et := range doc.Schemas[0].EntityTypes {
		if len(et.Key) != 1 || et.Key[0].Name != keys[et.Name] {
			t.Errorf("%s key %+v", et.Name, et.Key)
		}
		values := h.page("/reso/odata/"+et.Name+"?$top=1000", h.keyA).Value
		if len(values) == 0 {
			t.Fatalf("no %s served to check", et.Name)
		}
		for _, v := range values {
			checkEntity(t, et, v, enums)
		}
		checkDictionary(t, et)
	}
	for _, p := range doc.Schemas[0].EntityTypes[0].Properties {
		if p.Name == "PrivateRemarks" {
			t.Error("PrivateRemarks declared")
		}
	}
	lookups := readTSV(t, "lookups.tsv")
	for name, members := range enums {
		short := strings.TrimPrefix(name, "org.reso.metadata.enums.")
		var standard []string
		for _, row := range lookups {
			if row[0] == short {
				standard = append(standard, row[1])
			}
		}
		if want := append(standard, localMembers[short]...); !slices.Equal(members, want) {
			t.Errorf("%s members %v, want the Data Dictionary's %v", short, members, want)
		}
		if short == "StandardStatus" && len(members) != 11 {
			t.Errorf("StandardStatus has %d members, want 11", len(members))
		}
	}
}

var (
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	instantRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)
)

// checkEntity checks one served entity against its declared type.
func checkEntity(t *testing.T, et entityType, v map[string]any, enums map[string][]string) {
	t.Helper()
	if len(v) != len(et.Properties) {
		t.Errorf("%s serves %d properties, declares %d", et.Name, len(v), len(et.Properties))
	}
	for _, p := range et.Properties {
		val, ok := v[p.Name]
		switch {
		case !ok:
			t.Errorf("%s.%s declared, not served", et.Name, p.Name)
		case val == nil:
			if p.Nullable == "false" {
				t.Errorf("%s.%s is null, declared not nullable", et.Name, p.Name)
			}
		case !valueFits(p.Type, val, enums):
			t.Errorf("%s.%s = %#v is not a %s", et.Name, p.Name, val, p.Type)
		}
	}
}

func valueFits(typ string, val any, enums map[string][]string) bool {
	s, isString := val.(string)
	switch {
	case typ == "Edm.String":
		return isString
	case typ == "Edm.Decimal":
		_, ok := val.(json.Number)
		return ok
	case typ == "Edm.Boolean":
		_, ok := val.(bool)
		return ok
	case typ == "Edm.Date":
		return isString && dateRE.MatchString(s)
	case typ == "Edm.DateTimeOffset":
		return isString && instantRE.MatchString(s)
	case strings.HasPrefix(typ, "Collection("):
		list, ok := val.([]any)
		for _, item := range list {
			ok = ok && valueFits(strings.TrimSuffix(strings.TrimPrefix(typ, "Collection("), ")"), item, enums)
		}
		return ok
	case enums[typ] != nil:
		return isString && slices.Contains(enums[typ], s)
	}
	return false
}

// checkDictionary checks declared names, types and decimal facets against
// the RESO Data Dictionary extract.
func checkDictionary(t *testing.T, et entityType) {
	t.Helper()
	dict := map[string][]string{}
	for _, row := range readTSV(t, "fields.tsv") {
		if row[0] == et.Name {
			dict[row[1]] = row
		}
	}
	for _, p := range et.Properties {
		row, ok := dict[p.Name]
		switch {
		case !ok:
			t.Errorf("%s.%s is not a Data Dictionary field", et.Name, p.Name)
		case row[2] == p.Type:
		case p.Type == "Edm.String" && row[3] != "" && slices.Contains(stringLookups, et.Name+"."+p.Name):
		case "Collection("+row[2]+")" == p.Type:
		default:
			t.Errorf("%s.%s is %s, the Data Dictionary says %s", et.Name, p.Name, p.Type, row[2])
		}
		if ok && p.Type == "Edm.Decimal" && (p.Precision != row[5] || p.Scale != row[6]) {
			t.Errorf("%s.%s Precision %s Scale %s, the Data Dictionary says %s and %s", et.Name, p.Name, p.Precision, p.Scale, row[5], row[6])
		}
	}
}

// readTSV reads a Data Dictionary extract kept in testdata/dd.
func readTSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/dd/" + name)
	if err != nil {
		t.Fatalf("RESO Data Dictionary extract: %v", err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	return rows[1:]
}

// localNavigation are navigation properties realty serves that the Data
// Dictionary does not name.
var localNavigation = map[string]string{"Property.OpenHouse": "Collection(org.reso.metadata.OpenHouse)"}

// TestMetadataNavigation holds the declared navigation properties to the
// Data Dictionary, their bindings to the entity sets, and what $expand
// serves to the declared types: an array of the target's entities for a
// collection, one entity or null otherwise, each carrying exactly the
// target's declared properties.
func TestMetadataNavigation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	doc := h.metadata()
	types := map[string]entityType{}
	for _, et := range doc.Schemas[0].EntityTypes {
		types["org.reso.metadata."+et.Name] = et
	}
	enums := map[string][]string{}
	for _, e := range doc.Schemas[1].EnumTypes {
		for _, m := range e.Members {
			enums["org.reso.metadata.enums."+e.Name] = append(enums["org.reso.metadata.enums."+e.Name], m.Name)
		}
	}
	dict := map[string]string{}
	for _, row := range readTSV(t, "fields.tsv") {
		dict[row[0]+"."+row[1]] = row[2]
	}
	declared := 0
	for _, et := range doc.Schemas[0].EntityTypes {
		for _, n := range et.Navigation {
			declared++
			name := et.Name + "." + n.Name
			if want := cmpOr(dict[name], localNavigation[name]); n.Type != want {
				t.Errorf("%s is %s, the Data Dictionary says %q", name, n.Type, want)
			}
			bound := false
			for _, s := range doc.Schemas[0].Sets {
				for _, b := range s.Bindings {
					bound = bound || (s.Name == et.Name && b.Path == n.Name && "org.reso.metadata."+b.Target == strings.TrimSuffix(strings.TrimPrefix(n.Type, "Collection("), ")"))
				}
			}
			if !bound {
				t.Errorf("%s has no NavigationPropertyBinding to its target", name)
			}
			target, collection := types[strings.TrimSuffix(strings.TrimPrefix(n.Type, "Collection("), ")")], strings.HasPrefix(n.Type, "Collection(")
			served := 0
			for _, v := range h.page("/reso/odata/"+et.Name+"?$expand="+n.Name, h.keyA).Value {
				var items []any
				switch x := v[n.Name].(type) {
				case []any:
					items = x
					if !collection {
						t.Fatalf("%s served an array for one %s", name, target.Name)
					}
				case map[string]any:
					items = []any{x}
					if collection {
						t.Fatalf("%s served an object for a collection", name)
					}
				case nil:
					if collection {
						t.Fatalf("%s served null for a collection", name)
					}
				default:
					t.Fatalf("%s served %#v", name, x)
				}
				for _, item := range items {
					checkEntity(t, target, item.(map[string]any), enums)
					served++
				}
			}
			if served == 0 {
				t.Errorf("%s: no expanded %s served to check", name, target.Name)
			}
		}
	}
	if declared != 5 {
		t.Errorf("%d navigation properties declared, want 5", declared)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
