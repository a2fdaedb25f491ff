package reso_test

import (
	"encoding/json"
	"encoding/xml"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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
		Name        string `xml:"Name,attr"`
		Type        string `xml:"Type,attr"`
		Precision   string `xml:"Precision,attr"`
		Scale       string `xml:"Scale,attr"`
		MaxLength   string `xml:"MaxLength,attr"`
		Nullable    string `xml:"Nullable,attr"`
		Annotations []struct {
			Term   string `xml:"Term,attr"`
			String string `xml:"String,attr"`
		} `xml:"Annotation"`
	}
	enumXML struct {
		Name    string `xml:"Name,attr"`
		Members []struct {
			Name string `xml:"Name,attr"`
		} `xml:"Member"`
	}
)

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
// of its declared type (and never null when declared not nullable), no
// string longer than its MaxLength, every enumeration value a declared
// member. TestMetadataConformsToDictionary holds the declarations to the
// RESO Data Dictionary.
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
		"Office": "OfficeKey", "Lookup": "LookupKey"}
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
	}
	for _, p := range doc.Schemas[0].EntityTypes[0].Properties {
		if p.Name == "PrivateRemarks" {
			t.Error("PrivateRemarks declared")
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
		case p.MaxLength != "" && utf8.RuneCountInString(val.(string)) > atoi(p.MaxLength):
			t.Errorf("%s.%s = %q is longer than its MaxLength %s", et.Name, p.Name, val, p.MaxLength)
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
	case typ == "Edm.Int64":
		n, ok := val.(json.Number)
		_, err := n.Int64()
		return ok && err == nil
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

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
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
	// The Data Dictionary's navigation properties of the served resources.
	dict := map[string]string{"Property.ListAgent": "org.reso.metadata.Member", "Property.ListOffice": "org.reso.metadata.Office",
		"Property.Media": "Collection(org.reso.metadata.Media)", "Member.Office": "org.reso.metadata.Office"}
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
