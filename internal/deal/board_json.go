package deal

import (
	"realty"
	"realty/internal/jsonw"
)

// AppendBoardJSON writes {"columns":[…]} for the board as encoding/json
// would. The board is the deal domain's largest read (up to 100 deals in
// each of nine columns), and encoding it by reflection cost more than
// reading it (bench W10); TestBoardJSONMatchesEncodingJSON holds the two
// equal for every field, so a field added to Deal must be added here.
func AppendBoardJSON(b []byte, cols []BoardColumn) []byte {
	b = append(b, `{"columns":`...)
	if cols == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = cols[i].AppendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON writes the column as encoding/json would.
func (c *BoardColumn) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.String(jsonw.Key(b, "stage"), c.Stage)
	b = jsonw.Int(jsonw.Key(b, "count"), c.Count)
	b = jsonw.Key(b, "deals")
	if c.Deals == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i := range c.Deals {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.Deals[i].AppendJSON(b)
	}
	return append(b, ']', '}')
}

// AppendJSON writes the deal as encoding/json would.
func (d *Deal) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.ID(jsonw.Key(b, "id"), d.ID)
	b = jsonw.String(jsonw.Key(b, "title"), d.Title)
	b = jsonw.String(jsonw.Key(b, "kind"), d.Kind)
	b = jsonw.String(jsonw.Key(b, "side"), d.Side)
	b = jsonw.String(jsonw.Key(b, "stage"), d.Stage)
	b = optionalID(b, "property_id", d.PropertyID)
	b = optionalID(b, "listing_id", d.ListingID)
	b = optionalID(b, "agent_id", d.AgentID)
	if d.Price != nil {
		b = jsonw.Decimal(jsonw.Key(b, "price"), *d.Price)
	}
	b = optionalDate(b, "contract_date", d.ContractDate)
	b = optionalDate(b, "expected_close", d.ExpectedClose)
	b = optionalDate(b, "actual_close", d.ActualClose)
	if d.ClosePrice != nil {
		b = jsonw.Decimal(jsonw.Key(b, "close_price"), *d.ClosePrice)
	}
	if d.Notes != nil {
		b = jsonw.String(jsonw.Key(b, "notes"), *d.Notes)
	}
	b = jsonw.Time(jsonw.Key(b, "stage_changed_at"), d.StageChangedAt)
	b = optionalID(b, "created_by", d.CreatedBy)
	b = jsonw.Time(jsonw.Key(b, "created_at"), d.CreatedAt)
	b = jsonw.Time(jsonw.Key(b, "updated_at"), d.UpdatedAt)
	return append(b, '}')
}

func optionalID(b []byte, name string, id *realty.ID) []byte {
	if id == nil {
		return b
	}
	return jsonw.ID(jsonw.Key(b, name), *id)
}

// optionalDate writes a date as its MarshalText does, quoted.
func optionalDate(b []byte, name string, d *realty.Date) []byte {
	if d == nil {
		return b
	}
	b = append(jsonw.Key(b, name), '"')
	b = append(b, d.String()...)
	return append(b, '"')
}
