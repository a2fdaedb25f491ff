package reso

// The served entity sets. Each table is the single source of what the set
// serves: $metadata, $select, $filter, $orderby and rendering all read it.
// PrivateRemarks, list_type, features and internal ids are deliberately
// absent.

// daysOnMarket matches listing.Listing's DaysOnMarket.
const daysOnMarket = `CASE WHEN l.on_market_date IS NULL THEN NULL
	ELSE greatest(coalesce(l.off_market_date, l.close_date, current_date) - l.on_market_date, 0) END`

func str(name, sql string) *field { return &field{Name: name, Kind: kString, SQL: sql} }

func num(name, sql string, precision, scale int) *field {
	return &field{Name: name, Kind: kDecimal, SQL: sql, Precision: precision, Scale: scale}
}

func integer(name, sql string) *field { return &field{Name: name, Kind: kInt64, SQL: sql} }

func date(name, sql string) *field { return &field{Name: name, Kind: kDate, SQL: sql} }

func instant(name, sql string) *field { return &field{Name: name, Kind: kDateTimeOffset, SQL: sql} }

func enum(name, sql string, e *enumType) *field {
	return &field{Name: name, Kind: kEnum, SQL: sql, Enum: e, NotNull: true}
}

func collection(name, sql string, e *enumType) *field {
	return &field{Name: name, Kind: kCollection, SQL: sql, Enum: e}
}

// key is a uuid served as text; eq/ne/in against UUID literals use the
// column itself.
func key(name, column string) *field {
	return &field{Name: name, Kind: kString, SQL: column + "::text", UUIDSQL: column}
}

func notNull(f *field) *field {
	f.NotNull = true
	return f
}

var propertySet = newEntitySet(entitySet{
	Name: "Property", Key: "ListingKey",
	From: "listing.listings l", Where: "l.organization_id = $1", ID: "l.id", Scope: "l.property_id",
	Fields: []*field{
		notNull(str("ListingKey", "l.listing_key")),
		str("ListingId", "l.listing_id"),
		str("OriginatingSystemName", "l.originating_system_name"),
		str("OriginatingSystemKey", "l.originating_system_key"),
		{Name: "StandardStatus", Kind: kEnum, SQL: "l.standard_status", Enum: enumStandardStatus, NotNull: true, Cast: "listing.standard_status"},
		str("MlsStatus", "l.mls_status"),
		enum("PropertyType", "l.property_type", enumPropertyType),
		str("PropertySubType", "l.property_sub_type"),
		notNull(num("ListPrice", "l.list_price", 14, 2)),
		num("OriginalListPrice", "l.original_list_price", 14, 2),
		num("ClosePrice", "l.close_price", 14, 2),
		date("ListingContractDate", "l.listing_contract_date"),
		date("OnMarketDate", "l.on_market_date"),
		date("OffMarketDate", "l.off_market_date"),
		date("CloseDate", "l.close_date"),
		date("ExpirationDate", "l.expiration_date"),
		integer("DaysOnMarket", daysOnMarket),
		notNull(instant("OriginalEntryTimestamp", "l.original_entry_timestamp")),
		notNull(instant("ModificationTimestamp", "l.modification_timestamp")),
		notNull(instant("StatusChangeTimestamp", "l.status_change_timestamp")),
		instant("PriceChangeTimestamp", "l.price_change_timestamp"),
		key("ListAgentKey", "l.list_agent_id"),
		notNull(str("UnparsedAddress", "l.street_address")),
		str("UnitNumber", "l.unit_number"),
		{Name: "City", Kind: kString, SQL: "l.city", FoldedSQL: "l.city_key", NotNull: true},
		str("StateOrProvince", "nullif(l.state_province, '')"),
		str("PostalCode", "l.postal_code"),
		notNull(str("Country", "l.country")),
		num("Latitude", "l.latitude", 12, 8),
		num("Longitude", "l.longitude", 12, 8),
		integer("BedroomsTotal", "l.bedrooms_total"),
		// realty keeps a decimal total where .5 is a half bath: 2.5 is two
		// full baths and a half, three bathrooms in all.
		integer("BathroomsTotalInteger", "ceil(l.bathrooms_total)::int"),
		num("LivingArea", "l.living_area", 14, 2),
		num("LotSizeArea", "l.lot_size_area", 16, 4),
		integer("YearBuilt", "l.year_built"),
		integer("StoriesTotal", "l.stories"),
		num("GarageSpaces", "l.garage_spaces", 14, 2),
		num("AssociationFee", "l.association_fee", 14, 2),
		num("TaxAnnualAmount", "l.tax_annual_amount", 14, 2),
		str("PublicRemarks", "l.public_remarks"),
		notNull(integer("PhotosCount", "l.photos_count")),
		collection("Appliances", "l.appliances", enumAppliances),
		collection("Cooling", "l.cooling", enumCooling),
		collection("Heating", "l.heating", enumHeating),
		collection("Flooring", "l.flooring", enumFlooring),
		collection("View", "l.view", enumView),
		collection("PoolFeatures", "l.pool_features", enumPoolFeatures),
	},
})

// memberSet serves the organization's people who work listings: members
// holding only resident or client roles are left out, and invitations not
// yet accepted.
var memberSet = newEntitySet(entitySet{
	Name: "Member", Key: "MemberKey", Permission: "member.read",
	From: "org.members m JOIN identity.users u ON u.id = m.user_id",
	Where: `m.organization_id = $1 AND m.status <> 'invited' AND (SELECT bool_and(r.key IN ('resident', 'client'))
		FROM org.role_assignments ra JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id
		WHERE ra.organization_id = m.organization_id AND ra.member_id = m.id) IS NOT TRUE`,
	ID: "m.id",
	Fields: []*field{
		notNull(key("MemberKey", "m.id")),
		notNull(str("MemberFirstName", "u.first_name")),
		notNull(str("MemberLastName", "u.last_name")),
		notNull(str("MemberFullName", "btrim(u.first_name || ' ' || u.last_name)")),
		notNull(str("MemberEmail", "u.email::text")),
		str("MemberPreferredPhone", "u.phone"),
		str("JobTitle", "nullif(m.title, '')"),
		enum("MemberStatus", "CASE m.status WHEN 'active' THEN 'Active' ELSE 'Inactive' END", enumMemberStatus),
		notNull(instant("OriginalEntryTimestamp", "m.created_at")),
		notNull(instant("ModificationTimestamp", "greatest(m.updated_at, u.updated_at)")),
	},
})

var openHouseSet = newEntitySet(entitySet{
	Name: "OpenHouse", Key: "OpenHouseKey",
	From:  "listing.open_houses o JOIN listing.listings l ON l.organization_id = o.organization_id AND l.id = o.listing_id",
	Where: "o.organization_id = $1", ID: "o.id", Scope: "l.property_id",
	Fields: []*field{
		notNull(key("OpenHouseKey", "o.id")),
		notNull(str("ListingKey", "l.listing_key")),
		str("ListingId", "l.listing_id"),
		// The day the open house starts on, in the organization's time zone.
		notNull(date("OpenHouseDate", "(o.starts_at AT TIME ZONE (SELECT z.time_zone FROM org.organizations z WHERE z.id = $1))::date")),
		notNull(instant("OpenHouseStartTime", "o.starts_at")),
		notNull(instant("OpenHouseEndTime", "o.ends_at")),
		// realty's local Virtual and Association open houses are served as
		// the Dictionary's LivestreamPublic and Broker (docs/reso.md).
		enum("OpenHouseType", `CASE o.open_house_type WHEN 'Virtual' THEN 'LivestreamPublic' WHEN 'Association' THEN 'Broker'
			ELSE o.open_house_type END`, enumOpenHouseType),
		enum("OpenHouseStatus", "o.status", enumOpenHouseStatus),
		str("OpenHouseRemarks", "o.remarks"),
		str("Refreshments", "o.refreshments"),
		key("ShowingAgentKey", "o.showing_agent_id"),
		notNull(instant("OriginalEntryTimestamp", "o.created_at")),
		notNull(instant("ModificationTimestamp", "o.updated_at")),
	},
})

// mediaSet serves the media of listed properties (not deleted ones), each
// once, linked to the property's newest listing.
var mediaSet = newEntitySet(entitySet{
	Name: "Media", Key: "MediaKey", Permission: "property.read",
	From: `property.media m
		JOIN property.properties p ON p.organization_id = m.organization_id AND p.id = m.property_id AND p.deleted_at IS NULL
		JOIN LATERAL (SELECT l.listing_key FROM listing.listings l WHERE l.organization_id = m.organization_id
			AND l.property_id = m.property_id ORDER BY l.original_entry_timestamp DESC, l.id DESC LIMIT 1) l ON true`,
	Where: "m.organization_id = $1", ID: "m.id", Scope: "m.property_id",
	Fields: []*field{
		notNull(key("MediaKey", "m.id")),
		notNull(str("ResourceName", "'Property'::text")),
		notNull(str("ResourceRecordKey", "l.listing_key")),
		enum("MediaCategory", `CASE m.kind WHEN 'photo' THEN 'Photo' WHEN 'floor_plan' THEN 'FloorPlan' WHEN 'video' THEN 'Video'
			WHEN 'virtual_tour' THEN 'UnbrandedVirtualTour' ELSE 'Document' END`, enumMediaCategory),
		// Uploaded files are fetched from the JSON API with the same bearer
		// credential; the link is made absolute per request.
		{Name: "MediaURL", Kind: kString, SQL: "coalesce(m.url, '/api/v1/media/' || m.id::text || '/content')", NotNull: true, NoFilter: true, Link: true},
		notNull(integer("Order", "m.position")),
		str("LongDescription", "nullif(m.caption, '')"),
		{Name: "PreferredPhotoYN", Kind: kBoolean, NotNull: true, SQL: `coalesce(m.id = (SELECT f.id FROM property.media f
			WHERE f.organization_id = m.organization_id AND f.property_id = m.property_id AND f.kind = 'photo'
			AND f.blob_key IS NOT NULL ORDER BY f.position, f.id LIMIT 1), false)`},
		notNull(instant("ModificationTimestamp", "m.updated_at")),
	},
})

// officeSet serves the organization itself: realty's organization is the
// brokerage office its members and listings belong to, so a key sees one
// Office, its own.
var officeSet = newEntitySet(entitySet{
	Name: "Office", Key: "OfficeKey",
	From: "org.organizations ofc", Where: "ofc.organization_id = $1", ID: "ofc.id",
	Fields: []*field{
		notNull(key("OfficeKey", "ofc.id")),
		notNull(str("OfficeName", "ofc.name")),
		enum("OfficeStatus", "CASE ofc.status WHEN 'active' THEN 'Active' ELSE 'Inactive' END", enumOfficeStatus),
		notNull(instant("OriginalEntryTimestamp", "ofc.created_at")),
		notNull(instant("ModificationTimestamp", "ofc.updated_at")),
	},
})

// entitySets are served in this order in the service document.
var entitySets = []*entitySet{propertySet, memberSet, openHouseSet, mediaSet, officeSet, lookupSet}

func entitySetNamed(name string) *entitySet {
	for _, s := range entitySets {
		if s.Name == name {
			return s
		}
	}
	return nil
}
