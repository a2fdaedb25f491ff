package reso

import "strings"

// lookupSet is RESO's Lookup resource: the values of the Data Dictionary
// lookups realty serves as Edm.String (the fields $metadata annotates with
// RESO.OData.Metadata.LookupName), one entity per lookup and value in use
// in the organization's listings. A value's ModificationTimestamp is when
// it first appeared (its first listing's entry); its key is a
// digest of lookup name and value, so it is the same on every request.
// StandardLookupValue and LegacyODataValue name the Dictionary's value
// when the value is one.
var lookupSet = newEntitySet(entitySet{
	Name: "Lookup", Key: "LookupKey",
	From: `(SELECT v.lookup_name, v.lookup_value, min(v.at) AS modified,
			md5(v.lookup_name || chr(31) || v.lookup_value)::uuid AS id,
			CASE WHEN v.lookup_name = 'PropertySubType' AND v.lookup_value = ANY('` + pgArray(standardPropertySubTypes) + `'::text[])
				THEN v.lookup_value END AS standard
		FROM (SELECT u.lookup_name, u.lookup_value, l.original_entry_timestamp AS at FROM listing.listings l
				CROSS JOIN LATERAL (VALUES ('MlsStatus', l.mls_status), ('PropertySubType', l.property_sub_type), ('City', l.city),
					('StateOrProvince', nullif(l.state_province, '')), ('Country', l.country)) u(lookup_name, lookup_value)
				WHERE l.organization_id = $1 AND u.lookup_value IS NOT NULL
			UNION ALL SELECT 'ResourceName', 'Property', z.created_at FROM org.organizations z WHERE z.id = $1) v
		GROUP BY v.lookup_name, v.lookup_value) k`,
	Where: "TRUE", ID: "k.id",
	Fields: []*field{
		notNull(key("LookupKey", "k.id")),
		notNull(str("LookupName", "k.lookup_name")),
		notNull(str("LookupValue", "k.lookup_value")),
		str("StandardLookupValue", "k.standard"),
		str("LegacyODataValue", "k.standard"),
		notNull(instant("ModificationTimestamp", "k.modified")),
	},
})

// pgArray writes constant words (letters only) as a PostgreSQL array
// literal.
func pgArray(words []string) string { return "{" + strings.Join(words, ",") + "}" }
