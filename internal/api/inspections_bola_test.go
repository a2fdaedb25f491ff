package api_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"realty"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// globexInspectionIDs adds to foreign a globex template, inspection (with
// a photo) and, for the lease comparison, the lease foreign already holds.
func globexInspectionIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	ctx := context.Background()
	pm := h.b.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "5 Foreign Rd", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "9"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.env.Maintenance.CreateTemplate(ctx, pm, maintenance.TemplateInput{Name: "Globex",
		Rooms: []maintenance.Room{{Room: "Hall", Items: []string{"Door"}}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.env.Maintenance.CreateInspection(ctx, pm, maintenance.InspectionInput{Kind: "move_out", UnitID: &u.ID, TemplateID: &tpl.ID})
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	photo, err := h.env.Maintenance.AddInspectionPhoto(ctx, pm, d.Inspection.ID, nil, "door", &img)
	if err != nil {
		t.Fatal(err)
	}
	i := d.Inspection.ID
	for _, op := range []string{"get-inspection", "update-inspection", "delete-inspection", "start-inspection", "complete-inspection",
		"update-inspection-items", "upload-inspection-photo", "compare-inspection"} {
		foreign[op] = i
	}
	foreign["get-inspection-template"], foreign["replace-inspection-template"] = tpl.ID, tpl.ID
	foreign["get-inspection-photo"] = photo.ID
	foreign["get-lease-inspection-comparison"] = foreign["lease-balance"]
}
