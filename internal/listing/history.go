package listing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"listing.open_houses_time_check": {Kind: realty.Invalid, Field: "ends_at", Message: "must be after starts_at, within 24 hours"},
		"listing.open_houses_type_check": {Kind: realty.Invalid, Field: "open_house_type", Message: "must be Broker, Office, Public, Association or Virtual"},
		"listing.mls_statuses_key":       {Kind: realty.Conflict, Field: "mls_status", Message: "is already mapped"},
	})
}

// HistoryEntry is one change of a listing: it was listed, its status changed,
// or its price changed (RESO HistoryTransactional).
type HistoryEntry struct {
	ID            realty.ID  `db:"id" json:"id"`
	ChangeType    *string    `db:"change_type" json:"change_type,omitempty" doc:"RESO ChangeType: NewListing, PriceChange, BackOnMarket or the new status"`
	Field         string     `db:"field" json:"field" doc:"StandardStatus or ListPrice"`
	PreviousValue *string    `db:"previous_value" json:"previous_value,omitempty"`
	NewValue      *string    `db:"new_value" json:"new_value,omitempty"`
	ChangedBy     *realty.ID `db:"changed_by" json:"changed_by,omitempty" doc:"user id"`
	ChangedByName *string    `db:"changed_by_name" json:"changed_by_name,omitempty"`
	ChangedAt     time.Time  `db:"changed_at" json:"changed_at"`
}

// History returns a listing's changes, oldest first. Forbidden or NotFound
// as Get.
func (s *Service) History(ctx context.Context, actor realty.Actor, listingID realty.ID) ([]HistoryEntry, error) {
	if _, err := s.Get(ctx, actor, listingID); err != nil {
		return nil, err
	}
	entries, err := postgres.ReadAll[HistoryEntry](ctx, s.pool, actor, `SELECT id, change_type, field, previous_value, new_value,
		changed_by, NULL::text AS changed_by_name, changed_at
		FROM listing.listing_history WHERE organization_id = $1 AND listing_id = $2 ORDER BY changed_at, id`, actor.OrgID, listingID)
	if err != nil {
		return nil, err
	}
	return entries, s.nameChangers(ctx, actor, entries)
}

// nameChangers fills in the names of the members who made the changes.
func (s *Service) nameChangers(ctx context.Context, actor realty.Actor, entries []HistoryEntry) error {
	var ids []realty.ID
	for _, e := range entries {
		if e.ChangedBy != nil && !slices.Contains(ids, *e.ChangedBy) {
			ids = append(ids, *e.ChangedBy)
		}
	}
	names, err := s.orgs.UserNames(ctx, actor, ids)
	for i, e := range entries {
		if e.ChangedBy == nil {
			continue
		}
		if name, ok := names[*e.ChangedBy]; ok {
			entries[i].ChangedByName = &name
		}
	}
	return err
}

// OpenHouse is a time a listing can be visited.
type OpenHouse struct {
	ID             realty.ID  `db:"id" json:"id"`
	ListingID      realty.ID  `db:"listing_id" json:"listing_id"`
	StartsAt       time.Time  `db:"starts_at" json:"starts_at"`
	EndsAt         time.Time  `db:"ends_at" json:"ends_at"`
	OpenHouseType  string     `db:"open_house_type" json:"open_house_type" enum:"Broker,Office,Public,Association,Virtual"`
	Status         string     `db:"status" json:"status" enum:"Active,Canceled,Ended"`
	Remarks        *string    `db:"remarks" json:"remarks,omitempty"`
	Refreshments   *string    `db:"refreshments" json:"refreshments,omitempty"`
	ShowingAgentID *realty.ID `db:"showing_agent_id" json:"showing_agent_id,omitempty"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

const openHouseColumns = `id, listing_id, starts_at, ends_at, open_house_type, status, remarks, refreshments, showing_agent_id, updated_at`

// OpenHouseInput is what scheduling an open house takes.
type OpenHouseInput struct {
	StartsAt       time.Time
	EndsAt         time.Time
	OpenHouseType  string
	Remarks        *string
	Refreshments   *string
	ShowingAgentID *realty.ID
}

// ScheduleOpenHouse adds an open house to a listing the actor may change.
// Invalid naming the field for bad times or type.
func (s *Service) ScheduleOpenHouse(ctx context.Context, actor realty.Actor, listingID realty.ID, in OpenHouseInput) (OpenHouse, error) {
	if !in.EndsAt.After(in.StartsAt) {
		return OpenHouse{}, realty.FieldError("ends_at", "must be after starts_at")
	}
	if in.OpenHouseType == "" {
		in.OpenHouseType = "Public"
	}
	var out OpenHouse
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		l, err := getTx(ctx, tx, actor, listingID)
		if err != nil {
			return err
		}
		if err := mayEdit(actor, l); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO listing.open_houses (organization_id, listing_id, starts_at, ends_at, open_house_type,
			remarks, refreshments, showing_agent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+openHouseColumns,
			actor.OrgID, listingID, in.StartsAt, in.EndsAt, in.OpenHouseType, in.Remarks, in.Refreshments, in.ShowingAgentID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[OpenHouse])
		return err
	})
	return out, err
}

// OpenHouses lists a listing's open houses by start. Forbidden or NotFound
// as Get.
func (s *Service) OpenHouses(ctx context.Context, actor realty.Actor, listingID realty.ID) ([]OpenHouse, error) {
	if _, err := s.Get(ctx, actor, listingID); err != nil {
		return nil, err
	}
	return postgres.ReadAll[OpenHouse](ctx, s.pool, actor, `SELECT `+openHouseColumns+` FROM listing.open_houses
		WHERE organization_id = $1 AND listing_id = $2 ORDER BY starts_at, id`, actor.OrgID, listingID)
}

// CancelOpenHouse marks an open house canceled. NotFound for one of a
// listing the actor cannot see.
func (s *Service) CancelOpenHouse(ctx context.Context, actor realty.Actor, id realty.ID) error {
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var listingID realty.ID
		err := tx.QueryRow(ctx, `SELECT listing_id FROM listing.open_houses WHERE organization_id = $1 AND id = $2`, actor.OrgID, id).Scan(&listingID)
		if err != nil {
			return &realty.Error{Kind: realty.NotFound, Message: "open house not found"}
		}
		l, err := getTx(ctx, tx, actor, listingID)
		if realty.KindOf(err) == realty.NotFound {
			return &realty.Error{Kind: realty.NotFound, Message: "open house not found"}
		}
		if err != nil {
			return err
		}
		if err := mayEdit(actor, l); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE listing.open_houses SET status = 'Canceled' WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}

// StatusMapping maps a local MLS status onto a RESO standard status.
type StatusMapping struct {
	ID             realty.ID `db:"id" json:"id"`
	MlsStatus      string    `db:"mls_status" json:"mls_status"`
	StandardStatus string    `db:"standard_status" json:"standard_status"`
}

// StatusMappings lists the organization's MLS status mapping. Forbidden
// without listing.read.
func (s *Service) StatusMappings(ctx context.Context, actor realty.Actor) ([]StatusMapping, error) {
	if err := actor.Require("listing.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[StatusMapping](ctx, s.pool, actor, `SELECT id, mls_status, standard_status::text AS standard_status
		FROM listing.mls_statuses WHERE organization_id = $1 ORDER BY mls_status`, actor.OrgID)
}

// MapStatus maps (or re-maps) a local status. Forbidden without
// listing.manage; Invalid naming standard_status for a value outside RESO's
// closed list.
func (s *Service) MapStatus(ctx context.Context, actor realty.Actor, mlsStatus, standard string) (StatusMapping, error) {
	if err := actor.Require("listing.manage"); err != nil {
		return StatusMapping{}, err
	}
	mlsStatus = strings.TrimSpace(mlsStatus)
	if mlsStatus == "" || len(mlsStatus) > 50 {
		return StatusMapping{}, realty.FieldError("mls_status", "must be 1 to 50 characters")
	}
	if !slices.Contains(StandardStatuses, standard) {
		return StatusMapping{}, realty.FieldError("standard_status", "must be one of "+strings.Join(StandardStatuses, ", "))
	}
	var out StatusMapping
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO listing.mls_statuses (organization_id, mls_status, standard_status)
			VALUES ($1, $2, $3::listing.standard_status)
			ON CONFLICT (organization_id, mls_status) DO UPDATE SET standard_status = EXCLUDED.standard_status
			RETURNING id, mls_status, standard_status::text AS standard_status`, actor.OrgID, mlsStatus, standard)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[StatusMapping])
		return err
	})
	return out, err
}
