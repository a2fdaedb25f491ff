package reso

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Namespaces of the served model: entity types and the container live in
// the first, enumeration types in the second, as in RESO's reference
// metadata.
const (
	namespace      = "org.reso.metadata"
	enumsNamespace = "org.reso.metadata.enums"
)

// kind is the Edm type of a value, as the filter type checker, the row
// renderer and $metadata see it.
type kind int

const (
	kNull           kind = iota // the null literal only
	kString                     // Edm.String
	kDecimal                    // Edm.Decimal
	kBoolean                    // Edm.Boolean
	kDate                       // Edm.Date
	kDateTimeOffset             // Edm.DateTimeOffset
	kEnum                       // one member of an enumeration type
	kCollection                 // Collection(enumeration type)
	kInt64                      // Edm.Int64
)

var kindNames = map[kind]string{kNull: "null", kString: "Edm.String", kDecimal: "Edm.Decimal", kBoolean: "Edm.Boolean",
	kDate: "Edm.Date", kDateTimeOffset: "Edm.DateTimeOffset", kEnum: "enumeration", kCollection: "collection", kInt64: "Edm.Int64"}

func (k kind) String() string { return kindNames[k] }

// enumType is an enumeration served as an OData EnumType (not flags).
type enumType struct {
	Name    string
	Members []string // in $metadata order: the standard values, then local ones
	member  map[string]bool
}

// newEnum returns an enumeration of RESO's standard values plus local ones.
func newEnum(name string, standard []string, local ...string) *enumType {
	e := &enumType{Name: name, Members: slices.Concat(standard, local), member: map[string]bool{}}
	for _, m := range e.Members {
		e.member[m] = true
	}
	return e
}

// QualifiedName is the name enumeration literals use:
// org.reso.metadata.enums.StandardStatus'Active'.
func (e *enumType) QualifiedName() string { return enumsNamespace + "." + e.Name }

// field is one served property of an entity set. The one table of fields
// per entity set drives $metadata, $select, $filter, $orderby and the
// rendering of rows, so what $metadata says is what is served.
type field struct {
	Name string // RESO name, case-sensitive
	Kind kind
	Enum *enumType // for kEnum and kCollection
	// Precision and Scale are the Edm.Decimal facets from the Data
	// Dictionary; every value served fits them.
	Precision, Scale int
	// MaxLength and LookupName are an Edm.String's facets (facets.go).
	MaxLength  int
	LookupName string
	// SQL is the expression over the entity set's tables that yields the
	// value; it appears in SELECT, WHERE and ORDER BY, never with caller
	// text in it.
	SQL string
	// NotNull says the value is never null (Nullable="false").
	NotNull bool
	// Cast is the PostgreSQL type a compared literal is cast to; empty for
	// the kind's default (text, numeric, date, timestamptz, boolean).
	Cast string
	// FoldedSQL, when set, is a lower-cased copy of the value backed by an
	// index: eq, ne and in compare it with lower(literal), case-insensitively.
	FoldedSQL string
	// UUIDSQL, when set, is the uuid column the (text) value is made from:
	// eq, ne and in with literals that are UUIDs compare it directly, so its
	// index serves.
	UUIDSQL string
	// NoFilter keeps the field out of $filter and $orderby (values that are
	// made per request, such as absolute URLs).
	NoFilter bool
	// Link marks a value that may be a path on this server, served made
	// absolute with the request's origin.
	Link bool
}

// edmType is the type $metadata declares for the field.
func (f *field) edmType() string {
	switch f.Kind {
	case kEnum:
		return f.Enum.QualifiedName()
	case kCollection:
		return "Collection(" + f.Enum.QualifiedName() + ")"
	}
	return f.Kind.String()
}

// castType is the SQL type a literal compared with the field is cast to.
func (f *field) castType() string {
	if f.Cast != "" {
		return f.Cast
	}
	return defaultCast[f.Kind]
}

var defaultCast = map[kind]string{kString: "text", kDecimal: "numeric", kBoolean: "boolean", kDate: "date",
	kDateTimeOffset: "timestamptz", kEnum: "text", kCollection: "text", kInt64: "bigint"}

// entitySet is one served resource: its fields and how to read it.
type entitySet struct {
	Name string // entity set and entity type name
	Key  string // key property
	// From is the FROM clause; Where the clause every query carries, with
	// $1 the organization's id.
	From, Where string
	// ID is the unique row id (a uuid) that breaks ties in every ordering
	// and, with the ModificationTimestamp field, makes replication keysets.
	ID string
	// Scope is the property id column a property-scoped actor is limited
	// to; empty when the resource is not property-bound.
	Scope string
	// Permission is needed beside listing.read.
	Permission string
	Fields     []*field
	byName     map[string]*field
}

// newEntitySet indexes the fields by name and gives string fields their
// facets.
func newEntitySet(s entitySet) *entitySet {
	s.byName = map[string]*field{}
	for _, f := range s.Fields {
		s.byName[f.Name] = f
		if fc, ok := stringFacets[s.Name+"."+f.Name]; ok && f.Kind == kString {
			f.MaxLength, f.LookupName = fc.maxLength, fc.lookup
		}
	}
	return &s
}

// field returns the named field (case-sensitive), or nil.
func (s *entitySet) field(name string) *field { return s.byName[name] }

// modified is the ModificationTimestamp field replication pages by.
func (s *entitySet) modified() *field { return s.byName["ModificationTimestamp"] }

// enums returns the enumeration types the entity sets use, by name.
func enums(sets []*entitySet) []*enumType {
	seen := map[string]*enumType{}
	for _, s := range sets {
		for _, f := range s.Fields {
			if f.Enum != nil {
				seen[f.Enum.Name] = f.Enum
			}
		}
	}
	out := make([]*enumType, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *enumType) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// metadataXML is the EDMX/CSDL document, made once from the entity set
// tables: the entity types with their keys, served properties and
// navigation properties, the container, and the enumeration types the
// properties use.
var metadataXML = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">` + "\n")
	b.WriteString(`<edmx:DataServices>` + "\n")
	b.WriteString(`<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="` + namespace + `">` + "\n")
	for _, s := range entitySets {
		writeEntityType(&b, s)
	}
	b.WriteString(`<EntityContainer Name="Default">` + "\n")
	for _, s := range entitySets {
		b.WriteString(`<EntitySet Name="` + s.Name + `" EntityType="` + namespace + "." + s.Name + `">` + "\n")
		for _, n := range navigationsOf(s) {
			b.WriteString(`<NavigationPropertyBinding Path="` + n.Name + `" Target="` + n.Target.Name + `"/>` + "\n")
		}
		b.WriteString("</EntitySet>\n")
	}
	b.WriteString("</EntityContainer>\n</Schema>\n")
	b.WriteString(`<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="` + enumsNamespace + `">` + "\n")
	for _, e := range enums(entitySets) {
		b.WriteString(`<EnumType Name="` + e.Name + `">` + "\n")
		for i, m := range e.Members {
			b.WriteString(`<Member Name="` + m + `" Value="` + strconv.Itoa(i) + `"/>` + "\n")
		}
		b.WriteString("</EnumType>\n")
	}
	b.WriteString("</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n")
	return b.Bytes()
})

func writeEntityType(b *bytes.Buffer, s *entitySet) {
	b.WriteString(`<EntityType Name="` + s.Name + `">` + "\n")
	b.WriteString(`<Key><PropertyRef Name="` + s.Key + `"/></Key>` + "\n")
	for _, f := range s.Fields {
		b.WriteString(`<Property Name="` + f.Name + `" Type="` + f.edmType() + `"`)
		if f.Kind == kDecimal {
			b.WriteString(` Precision="` + strconv.Itoa(f.Precision) + `" Scale="` + strconv.Itoa(f.Scale) + `"`)
		}
		if f.MaxLength > 0 {
			b.WriteString(` MaxLength="` + strconv.Itoa(f.MaxLength) + `"`)
		}
		if f.NotNull && f.Kind != kCollection {
			b.WriteString(` Nullable="false"`)
		}
		if f.LookupName == "" {
			b.WriteString("/>\n")
			continue
		}
		b.WriteString(">\n" + `<Annotation Term="RESO.OData.Metadata.LookupName" String="` + f.LookupName + `"/>` + "\n</Property>\n")
	}
	for _, n := range navigationsOf(s) {
		b.WriteString(`<NavigationProperty Name="` + n.Name + `" Type="` + n.edmType() + `"/>` + "\n")
	}
	b.WriteString("</EntityType>\n")
}

// serviceDocument lists the entity sets (OData JSON service document) and
// advertises the OAuth 2.0 token endpoint in the instance annotation
// @realty.oauth.tokenEndpoint.
func serviceDocument(origin string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"@odata.context":`)
	appendJSONString(&b, []byte(origin+Root+"$metadata"))
	b.WriteString(`,"@realty.oauth.tokenEndpoint":`)
	appendJSONString(&b, []byte(origin+TokenPath))
	b.WriteString(`,"value":[`)
	for i, s := range entitySets {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":"` + s.Name + `","kind":"EntitySet","url":"` + s.Name + `"}`)
	}
	b.WriteString("]}")
	return b.Bytes()
}
