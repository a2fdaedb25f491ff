package maintenance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Room is one room of a checklist and the items inspected in it.
type Room struct {
	Room  string   `json:"room" maxLength:"100"`
	Items []string `json:"items" maxItems:"60" maxLength:"100"`
}

// Template is a checklist an inspection copies its items from. An
// organization's default template is the one an inspection without a
// template uses.
type Template struct {
	ID        realty.ID `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Rooms     []Room    `db:"rooms" json:"rooms"`
	IsDefault bool      `db:"is_default" json:"is_default"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

const templateColumns = `id, name, rooms, is_default, created_at, updated_at`

// DefaultTemplateName names the template an organization gets on its first
// inspection without one.
const DefaultTemplateName = "Standard residential"

// DefaultRooms are the default template's rooms and items.
var DefaultRooms = []Room{
	{"Entry", []string{"Door and lock", "Walls", "Floor", "Lights"}},
	{"Living room", []string{"Walls", "Floor", "Windows", "Lights and outlets"}},
	{"Kitchen", []string{"Sink and faucet", "Oven and stove", "Refrigerator", "Cabinets and counters", "Floor"}},
	{"Bathroom", []string{"Toilet", "Sink and faucet", "Shower or tub", "Walls and tiles", "Floor"}},
	{"Bedroom", []string{"Walls", "Floor", "Windows", "Closet"}},
	{"General", []string{"Smoke detectors", "Heating and cooling", "Keys returned"}},
}

// TemplateInput is a template as written.
type TemplateInput struct {
	Name      string
	Rooms     []Room
	IsDefault bool
}

// checkRooms cleans and checks a checklist: 1 to 40 rooms, each named (1 to
// 100 characters, once) with 1 to 60 items (1 to 100 characters, each once
// in its room). Invalid naming rooms[i].room or rooms[i].items[j].
func checkRooms(rooms []Room) ([]Room, error) {
	if len(rooms) == 0 || len(rooms) > 40 {
		return nil, realty.FieldError("rooms", "must hold 1 to 40 rooms")
	}
	out := make([]Room, len(rooms))
	seen := map[string]bool{}
	for i, r := range rooms {
		name := strings.TrimSpace(r.Room)
		f := fmt.Sprintf("rooms[%d]", i)
		if name == "" || len(name) > 100 {
			return nil, realty.FieldError(f+".room", "must be 1 to 100 characters")
		}
		if seen[strings.ToLower(name)] {
			return nil, realty.FieldError(f+".room", "is named twice")
		}
		seen[strings.ToLower(name)] = true
		if len(r.Items) == 0 || len(r.Items) > 60 {
			return nil, realty.FieldError(f+".items", "must hold 1 to 60 items")
		}
		items, err := checkItems(f, r.Items)
		if err != nil {
			return nil, err
		}
		out[i] = Room{Room: name, Items: items}
	}
	return out, nil
}

func checkItems(f string, items []string) ([]string, error) {
	out := make([]string, len(items))
	seen := map[string]bool{}
	for j, it := range items {
		it = strings.TrimSpace(it)
		if it == "" || len(it) > 100 {
			return nil, realty.FieldError(fmt.Sprintf("%s.items[%d]", f, j), "must be 1 to 100 characters")
		}
		if seen[strings.ToLower(it)] {
			return nil, realty.FieldError(fmt.Sprintf("%s.items[%d]", f, j), "is named twice in its room")
		}
		seen[strings.ToLower(it)] = true
		out[j] = it
	}
	return out, nil
}

// Templates lists the organization's checklist templates by name.
// Forbidden without maintenance.read.
func (s *Service) Templates(ctx context.Context, actor realty.Actor) ([]Template, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return nil, err
	}
	var out []Template
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+templateColumns+` FROM maintenance.inspection_templates
			WHERE organization_id = $1 ORDER BY name, id`, actor.OrgID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Template])
		return err
	})
	if out == nil {
		out = []Template{}
	}
	return out, err
}

// Template returns one template. Forbidden without maintenance.read;
// NotFound.
func (s *Service) Template(ctx context.Context, actor realty.Actor, id realty.ID) (Template, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return Template{}, err
	}
	var out Template
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = templateTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func templateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Template, error) {
	rows, err := tx.Query(ctx, `SELECT `+templateColumns+` FROM maintenance.inspection_templates
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Template{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Template])
	return t, notFound(err, "inspection template")
}

// CreateTemplate adds a checklist template; a default one takes the place
// of the previous default. Forbidden without maintenance.manage; Invalid
// naming name or the room or item at fault; Conflict naming name when
// another template has it.
func (s *Service) CreateTemplate(ctx context.Context, actor realty.Actor, in TemplateInput) (Template, error) {
	return s.saveTemplate(ctx, actor, nil, in)
}

// UpdateTemplate replaces a template's name, rooms and default flag;
// inspections already made keep the items they copied. Errors as
// CreateTemplate, and NotFound.
func (s *Service) UpdateTemplate(ctx context.Context, actor realty.Actor, id realty.ID, in TemplateInput) (Template, error) {
	return s.saveTemplate(ctx, actor, &id, in)
}

func (s *Service) saveTemplate(ctx context.Context, actor realty.Actor, id *realty.ID, in TemplateInput) (Template, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return Template{}, err
	}
	if n := len(strings.TrimSpace(in.Name)); n == 0 || n > 200 {
		return Template{}, realty.FieldError("name", "must be 1 to 200 characters")
	}
	rooms, err := checkRooms(in.Rooms)
	if err != nil {
		return Template{}, err
	}
	var out Template
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		if in.IsDefault {
			if _, err := tx.Exec(ctx, `UPDATE maintenance.inspection_templates SET is_default = false
				WHERE organization_id = $1 AND is_default AND id IS DISTINCT FROM $2`, actor.OrgID, id); err != nil {
				return err
			}
		}
		out, err = upsertTemplateTx(ctx, tx, actor, id, in.Name, rooms, in.IsDefault)
		return err
	})
	return out, err
}

func upsertTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id *realty.ID, name string, rooms []Room, def bool) (Template, error) {
	var rows pgx.Rows
	var err error
	if id == nil {
		rows, err = tx.Query(ctx, `INSERT INTO maintenance.inspection_templates (organization_id, id, name, rooms, is_default)
			VALUES ($1, $2, btrim($3), $4, $5) RETURNING `+templateColumns, actor.OrgID, realty.NewID(), name, rooms, def)
	} else {
		rows, err = tx.Query(ctx, `UPDATE maintenance.inspection_templates SET name = btrim($3), rooms = $4, is_default = $5
			WHERE organization_id = $1 AND id = $2 RETURNING `+templateColumns, actor.OrgID, *id, name, rooms, def)
	}
	if err != nil {
		return Template{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Template])
	return t, notFound(err, "inspection template")
}

// defaultTemplateTx returns the organization's default template, creating
// it from DefaultRooms on first use (an organization without one).
func defaultTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (Template, error) {
	rows, err := tx.Query(ctx, `SELECT `+templateColumns+` FROM maintenance.inspection_templates
		WHERE organization_id = $1 AND is_default`, actor.OrgID)
	if err != nil {
		return Template{}, err
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Template])
	if err != nil || len(ts) > 0 {
		return first(ts), err
	}
	rows, err = tx.Query(ctx, `INSERT INTO maintenance.inspection_templates (organization_id, id, name, rooms, is_default)
		VALUES ($1, $2, $3, $4, true) ON CONFLICT (organization_id) WHERE is_default DO NOTHING RETURNING `+templateColumns,
		actor.OrgID, realty.NewID(), DefaultTemplateName, DefaultRooms)
	if err != nil {
		return Template{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Template])
}

func first(ts []Template) Template {
	if len(ts) == 0 {
		return Template{}
	}
	return ts[0]
}
