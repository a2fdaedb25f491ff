package reso

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"realty"
)

// TestTranslate pins the SQL of every operator and literal type: the
// condition over whitelisted expressions, and the arguments bound in
// order after the organization ($1).
func TestTranslate(t *testing.T) {
	t.Parallel()
	const members = "[members]"
	cases := []struct {
		filter, sql, args string
	}{
		// Index-friendly equality: the enum cast and city_key.
		{"StandardStatus eq 'Active' and City eq 'Austin'",
			"(((l.standard_status) = $2::listing.standard_status) AND (l.city_key = lower($3::text)))", "[Active Austin]"},
		{"City ne 'Austin'", "(l.city_key <> lower($2::text))", "[Austin]"},
		{"City gt 'M'", "((l.city) > $2::text)", "[M]"},
		// Comparisons and numbers.
		{"ListPrice eq 500000", "((l.list_price) = $2::numeric)", "[500000]"},
		{"ListPrice ne 500000", "((l.list_price) <> $2::numeric)", "[500000]"},
		{"ClosePrice ne 1", "((l.close_price) IS DISTINCT FROM $2::numeric)", "[1]"},
		{"ListPrice gt 500000", "((l.list_price) > $2::numeric)", "[500000]"},
		{"ListPrice ge 1.5", "((l.list_price) >= $2::numeric)", "[1.5]"},
		{"ListPrice lt -3", "((l.list_price) < $2::numeric)", "[-3]"},
		{"BedroomsTotal le 4", "((l.bedrooms_total) <= $2::bigint)", "[4]"},
		{"500000 lt ListPrice", "((l.list_price) > $2::numeric)", "[500000]"},
		{"ListPrice gt OriginalListPrice", "((l.list_price) > (l.original_list_price))", "[]"},
		// Logic and grouping.
		{"ListPrice ge 1 or ListPrice le 2 or BedroomsTotal eq 3",
			"(((l.list_price) >= $2::numeric) OR ((l.list_price) <= $3::numeric) OR ((l.bedrooms_total) = $4::bigint))", "[1 2 3]"},
		{"not (ListPrice lt 100)", "((((l.list_price) < $2::numeric)) IS NOT TRUE)", "[100]"},
		{"not ListPrice lt 100", "((((l.list_price) < $2::numeric)) IS NOT TRUE)", "[100]"},
		{"(ListPrice gt 1 or ListPrice lt 0) and not (YearBuilt eq 2000)",
			"((((l.list_price) > $2::numeric) OR ((l.list_price) < $3::numeric)) AND ((((l.year_built) = $4::bigint)) IS NOT TRUE))", "[1 0 2000]"},
		{"true", "TRUE", "[]"},
		{"(PublicRemarks eq 'x') eq false", "(coalesce(((l.public_remarks) = $2::text), false) = FALSE)", "[x]"},
		// Strings, with a doubled quote.
		{"ListingKey eq 'O''Brien'", "((l.listing_key) = $2::text)", "[O'Brien]"},
		{"PublicRemarks eq ''", "((l.public_remarks) = $2::text)", "[]"},
		// null.
		{"ListingId eq null", "((l.listing_id) IS NULL)", "[]"},
		{"null ne ListingId", "((l.listing_id) IS NOT NULL)", "[]"},
		{"null eq null", "TRUE", "[]"},
		{"null eq now()", "FALSE", "[]"},
		{"5 ne null", "TRUE", "[]"},
		// Dates, instants and now().
		{"OnMarketDate ge 2024-05-01", "((l.on_market_date) >= $2::date)", "[2024-05-01 00:00:00 +0000 UTC]"},
		{"CloseDate lt 2024-12-31", "((l.close_date) < $2::date)", "[2024-12-31 00:00:00 +0000 UTC]"},
		{"ModificationTimestamp gt 2024-05-01T10:00:00Z", "((l.modification_timestamp) > $2::timestamptz)", "[2024-05-01 10:00:00 +0000 UTC]"},
		{"ModificationTimestamp le 2024-05-01T12:00:00.5+02:00", "((l.modification_timestamp) <= $2::timestamptz)", "[2024-05-01 12:00:00.5 +0200 +0200]"},
		{"StatusChangeTimestamp lt now()", "((l.status_change_timestamp) < now())", "[]"},
		{"now() gt PriceChangeTimestamp", "((l.price_change_timestamp) < now())", "[]"},
		// Enumerations: plain strings, typed literals, has and in.
		{"StandardStatus eq org.reso.metadata.enums.StandardStatus'Active'", "((l.standard_status) = $2::listing.standard_status)", "[Active]"},
		{"StandardStatus ne 'Closed'", "((l.standard_status) <> $2::listing.standard_status)", "[Closed]"},
		{"StandardStatus has org.reso.metadata.enums.StandardStatus'Pending'", "((l.standard_status) = $2::listing.standard_status)", "[Pending]"},
		{"PropertyType eq 'Residential'", "((l.property_type) = $2::text)", "[Residential]"},
		{"StandardStatus in ('Active', 'Pending')", "((l.standard_status) = ANY($2::listing.standard_status[]))", "[[Active Pending]]"},
		{"City in ('Austin','Dallas')", "(l.city_key = ANY(ARRAY(SELECT lower(v) FROM unnest($2::text[]) v)))", "[[Austin Dallas]]"},
		{"ListPrice in (1, 2.5)", "((l.list_price) = ANY($2::numeric[]))", "[[1 2.5]]"},
		// Keys made from uuids use the uuid column when they can.
		{"ListAgentKey eq '0190b5d2-7c1e-7000-8000-000000000001'", "(l.list_agent_id = $2::uuid)", "[0190b5d2-7c1e-7000-8000-000000000001]"},
		{"ListAgentKey eq 'not-a-uuid'", "((l.list_agent_id::text) = $2::text)", "[not-a-uuid]"},
		// Collections: any, all, has.
		{"Appliances/any(a: a eq 'Dishwasher')", "($2::text = ANY((l.appliances)))", "[Dishwasher]"},
		{"Appliances has 'Dishwasher'", "($2::text = ANY((l.appliances)))", "[Dishwasher]"},
		{"Appliances/any(a: a eq 'Dishwasher' or a eq org.reso.metadata.enums.Appliances'Dryer')",
			"EXISTS (SELECT 1 FROM unnest((l.appliances)) AS e1(v) WHERE e1.v = ANY($2::text[]) AND (((e1.v = $3::text) OR (e1.v = $4::text))))",
			"[" + members + " Dishwasher Dryer]"},
		{"Appliances/all(a: a ne 'Dishwasher')",
			"(NOT EXISTS (SELECT 1 FROM unnest((l.appliances)) AS e1(v) WHERE e1.v = ANY($2::text[]) AND ((e1.v <> $3::text)) IS NOT TRUE))",
			"[" + members + " Dishwasher]"},
		{"Appliances/any()", "EXISTS (SELECT 1 FROM unnest((l.appliances)) AS e1(v) WHERE e1.v = ANY($2::text[]))", "[" + members + "]"},
		{"Cooling/any(c: c in ('CentralAir', 'HeatPump')) and View/all(v: v eq 'Water')",
			"(EXISTS (SELECT 1 FROM unnest((l.cooling)) AS e1(v) WHERE e1.v = ANY($2::text[]) AND ((e1.v = ANY($3::text[])))) AND " +
				"(NOT EXISTS (SELECT 1 FROM unnest((l.view)) AS e2(v) WHERE e2.v = ANY($4::text[]) AND ((e2.v = $5::text)) IS NOT TRUE)))",
			"[" + members + " [CentralAir HeatPump] " + members + " Water]"},
		// Functions: LIKE patterns bound with their wildcards escaped.
		{"contains(City,'ust')", "((l.city) LIKE $2::text)", "[%ust%]"},
		{"contains(UnparsedAddress,'50%_off\\')", "((l.street_address) LIKE $2::text)", `[%50\%\_off\\%]`},
		{"startswith(City,'Aus')", "((l.city) LIKE $2::text)", "[Aus%]"},
		{"endswith(PublicRemarks,'pool')", "((l.public_remarks) LIKE $2::text)", "[%pool]"},
		{"contains('Austin area',City)", "(strpos($2::text, (l.city)) > 0)", "[Austin area]"},
		{"startswith(UnparsedAddress,City)", "starts_with((l.street_address), (l.city))", "[]"},
		{"endswith(UnparsedAddress,City)", "(right((l.street_address), length((l.city))) = (l.city))", "[]"},
		{"not contains(City,'x')", "((((l.city) LIKE $2::text)) IS NOT TRUE)", "[%x%]"},
		{"tolower(City) eq 'austin'", "(l.city_key = $2::text)", "[austin]"},
		{"tolower(PublicRemarks) eq 'x'", "(lower((l.public_remarks)) = $2::text)", "[x]"},
		{"toupper(ListingId) eq 'MLS-1'", "(upper((l.listing_id)) = $2::text)", "[MLS-1]"},
		{"contains(toupper(MlsStatus),'ACT')", "(upper((l.mls_status)) LIKE $2::text)", "[%ACT%]"},
		{"length(PostalCode) ne 5", "(length((l.postal_code)) IS DISTINCT FROM $2::bigint)", "[5]"},
		{"year(OnMarketDate) eq 2024", "(extract(year FROM (l.on_market_date))::int = $2::bigint)", "[2024]"},
		{"month(CloseDate) ge 6", "(extract(month FROM (l.close_date))::int >= $2::bigint)", "[6]"},
		{"day(ModificationTimestamp) lt 15", "(extract(day FROM timezone($2::text, (l.modification_timestamp)))::int < $3::bigint)", "[UTC 15]"},
		{"date(StatusChangeTimestamp) eq 2024-05-01", "((timezone($2::text, (l.status_change_timestamp)))::date = $3::date)",
			"[UTC 2024-05-01 00:00:00 +0000 UTC]"},
		{"date(ModificationTimestamp) gt OnMarketDate", "((timezone($2::text, (l.modification_timestamp)))::date > (l.on_market_date))", "[UTC]"},
		{"year(now()) eq 2024", "(extract(year FROM timezone($2::text, now()))::int = $3::bigint)", "[UTC 2024]"},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			sql, args, err := translateFilter(propertySet, c.filter, 1)
			if err != nil {
				t.Fatal(err)
			}
			if sql != c.sql {
				t.Errorf("sql\n got %s\nwant %s", sql, c.sql)
			}
			if got := showArgs(args); got != c.args {
				t.Errorf("args\n got %s\nwant %s", got, c.args)
			}
			checkPlaceholders(t, sql, args, 1)
		})
	}
}

// showArgs prints arguments, abbreviating an enumeration's member list.
func showArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if ss, ok := a.([]string); ok && len(ss) > 20 {
			parts[i] = "[members]"
			continue
		}
		parts[i] = fmt.Sprint(a)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestTranslateErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, filter, want string }{
		{"ErrUnknownField", "Foo eq 1", "unknown field Foo"},
		{"ErrCaseSensitive", "listprice eq 1", "unknown field listprice"},
		{"ErrPrivateRemarks", "PrivateRemarks eq 'x'", "unknown field PrivateRemarks"},
		{"ErrNumberVsString", "ListPrice eq 'cheap'", "cannot compare ListPrice (Edm.Decimal) with a literal of type Edm.String"},
		{"ErrStringVsNumber", "City eq 5", "cannot compare City (Edm.String)"},
		{"ErrDateVsInstant", "OnMarketDate gt 2024-05-01T10:00:00Z", "cannot compare OnMarketDate (Edm.Date)"},
		{"ErrDateVsNow", "OnMarketDate gt now()", "cannot compare OnMarketDate"},
		{"ErrBadNumber", "ListPrice eq 1.2.3", "malformed number"},
		{"ErrBadDate", "OnMarketDate eq 2024-13-45", "malformed Edm.Date"},
		{"ErrBadInstant", "ModificationTimestamp gt 2024-05-01T25:00:00Z", "malformed Edm.DateTimeOffset"},
		{"ErrInstantWithoutZone", "ModificationTimestamp gt 2024-05-01T10:00:00", "malformed Edm.DateTimeOffset"},
		{"ErrNotAMember", "StandardStatus eq 'Sold'", `"Sold" is not a member of org.reso.metadata.enums.StandardStatus`},
		{"ErrWrongEnumType", "StandardStatus eq org.reso.metadata.enums.PropertyType'Land'", "cannot compare StandardStatus"},
		{"ErrUnknownEnumType", "StandardStatus eq org.reso.metadata.enums.Nope'Active'", "unknown enumeration type"},
		{"ErrEnumOrdering", "StandardStatus gt 'Active'", "gt does not apply to StandardStatus"},
		{"ErrHasOnNumber", "ListPrice has 1", "has applies to enumerations"},
		{"ErrNullOrdering", "ListPrice gt null", "null compares with eq or ne only"},
		{"ErrUnbalancedOpen", "(ListPrice gt 1", "unbalanced parentheses"},
		{"ErrUnbalancedClose", "ListPrice gt 1)", "unbalanced parentheses"},
		{"ErrTrailingGarbage", "ListPrice gt 1 ListPrice", "unexpected ListPrice after a complete expression"},
		{"ErrMissingOperand", "ListPrice gt", "an operand is missing"},
		{"ErrNotACondition", "ListPrice", "is not a condition"},
		{"ErrChained", "ListPrice gt 1 eq true", "comparisons do not chain"},
		{"ErrUnterminated", "City eq 'Austin", "unterminated string"},
		{"ErrBadCharacter", "ListPrice gt 1 & 2", `unexpected character '&'`},
		{"ErrFunction", "substring(City, 1) eq 'A'", "unsupported function substring"},
		{"ErrTooDeep", strings.Repeat("(", 40) + "true" + strings.Repeat(")", 40), "nested deeper than 32 levels"},
		{"ErrTooDeepNot", strings.Repeat("not ", 40) + "true", "nested deeper than 32 levels"},
		{"ErrTooLong", "City eq '" + strings.Repeat("x", 4000) + "'", "longer than 4000 characters"},
		{"ErrEmpty", "  ", "is empty"},
		{"ErrNUL", "City eq 'a\x00b'", "not valid UTF-8 text"},
		{"ErrInvalidUTF8", "City eq 'a\xffb'", "not valid UTF-8 text"},
		{"ErrCollectionCompare", "Appliances eq 'Dishwasher'", "Appliances is a collection"},
		{"ErrLambdaOnScalar", "City/any(c: c eq 'X')", "is not a collection"},
		{"ErrLambdaNotMember", "Appliances/any(a: a eq 'Granite')", `"Granite" is not a member`},
		{"ErrLambdaShadows", "Appliances/any(City: City eq 'Dishwasher')", "hides a field"},
		{"ErrVariableOutside", "Appliances/any(a: a eq 'Dishwasher') and a eq 'Dryer'", "unknown field a"},
		{"ErrAllWithoutBody", "Appliances/all()", "expected name"},
		{"ErrInNull", "City in ('Austin', null)", "in lists values"},
		{"ErrEmptyIn", "ListPrice eq 1 and ListingKey in ()", "unexpected )"},
		{"ErrContainsNumber", "contains(ListPrice,'5')", "contains takes Edm.String arguments, not ListPrice (Edm.Decimal)"},
		{"ErrContainsNumberLiteral", "contains(City,5)", "contains takes Edm.String arguments, not a literal of type Edm.Decimal"},
		{"ErrStartsWithEnum", "startswith(StandardStatus,'Act')", "startswith takes Edm.String arguments, not StandardStatus"},
		{"ErrEndsWithNull", "endswith(City,null)", "endswith takes Edm.String arguments, not null"},
		{"ErrToLowerDate", "tolower(OnMarketDate) eq 'x'", "tolower takes Edm.String arguments, not OnMarketDate (Edm.Date)"},
		{"ErrLengthCollection", "length(Appliances) gt 1", "length takes Edm.String arguments, not Appliances"},
		{"ErrYearString", "year(City) eq 2024", "year takes Edm.Date or Edm.DateTimeOffset arguments, not City (Edm.String)"},
		{"ErrMonthCondition", "month(ListPrice gt 1) eq 1", "month takes Edm.Date or Edm.DateTimeOffset arguments, not a condition"},
		{"ErrDateOfDate", "date(OnMarketDate) eq 2024-05-01", "date takes Edm.DateTimeOffset arguments, not OnMarketDate (Edm.Date)"},
		{"ErrContainsArity", "contains(City)", "contains takes 2 arguments, not 1"},
		{"ErrYearFraction", "year(OnMarketDate) eq 2024.5", "holds whole numbers: 2024.5 is not one"},
		{"ErrToLowerArity", "tolower(City,'x') eq 'y'", "tolower takes 1 argument, not 2"},
		{"ErrThreeArguments", "contains(City,'a','b')", "expected ) to close contains("},
		{"ErrFunctionNotACondition", "tolower(City)", "is not a condition"},
		{"ErrLengthVsString", "length(City) eq 'five'", "cannot compare"},
		{"ErrFunctionCaseSensitive", "Contains(City,'x')", "unsupported function Contains"},
		{"ErrFunctionUnclosed", "contains(City,'x'", "expected ) to close contains("},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := translateFilter(propertySet, c.filter, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if realty.KindOf(err) != realty.Invalid {
				t.Fatalf("kind %s, want invalid", realty.KindOf(err))
			}
		})
	}
	t.Run("ErrMediaURLNotFilterable", func(t *testing.T) {
		if _, _, err := translateFilter(mediaSet, "MediaURL eq 'x'", 1); err == nil || !strings.Contains(err.Error(), "cannot be filtered") {
			t.Fatalf("error %v", err)
		}
	})
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// checkPlaceholders holds translated SQL to its contract: it uses exactly
// the placeholders $base+1 … $base+len(args), carries no caller text (no
// quote, comment or statement break) and balances its parentheses.
func checkPlaceholders(t testing.TB, sql string, args []any, base int) {
	t.Helper()
	used := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		n, _ := strconv.Atoi(m[1])
		if n <= base || n > base+len(args) {
			t.Fatalf("placeholder $%d outside $%d…$%d in %s", n, base+1, base+len(args), sql)
		}
		used[n] = true
	}
	if len(used) != len(args) {
		t.Fatalf("%d arguments but %d placeholders used in %s", len(args), len(used), sql)
	}
	if strings.ContainsAny(sql, "';\\") || strings.Contains(sql, "--") || strings.Contains(sql, "/*") {
		t.Fatalf("caller text in SQL: %s", sql)
	}
	depth := 0
	for _, c := range sql {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				t.Fatalf("unbalanced SQL: %s", sql)
			}
		}
	}
	if depth != 0 {
		t.Fatalf("unbalanced SQL: %s", sql)
	}
}

// FuzzParseFilter: any input either fails with an Invalid error or yields
// SQL whose placeholders match its arguments. It must never panic.
func FuzzParseFilter(f *testing.F) {
	f.Add("StandardStatus eq 'Active' and City eq 'Austin'")
	f.Fuzz(func(t *testing.T, filter string) {
		sql, args, err := translateFilter(propertySet, filter, 1)
		if err != nil {
			if realty.KindOf(err) != realty.Invalid {
				t.Fatalf("error of kind %s: %v", realty.KindOf(err), err)
			}
			return
		}
		checkPlaceholders(t, sql, args, 1)
	})
}
