package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// TestInspectionPages: the checklist form rates items, a completed
// inspection shows no form, and the comparison page flags the worsened
// item with its proposed deduction.
func TestInspectionPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	o := h.env.Organization(t, "acme")
	pm := o.Personas["property_manager"]
	p, err := h.env.Property.Create(ctx, pm.Actor, property.Input{AddressLine1: "4 Look Lane", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm.Actor, p.ID, property.UnitInput{UnitNumber: "7"})
	if err != nil {
		t.Fatal(err)
	}
	svc := h.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, pm.Actor, maintenance.TemplateInput{Name: "Small",
		Rooms: []maintenance.Room{{Room: "Kitchen", Items: []string{"Oven", "Sink"}}}})
	if err != nil {
		t.Fatal(err)
	}
	session := h.login(pm.Email, "acme")
	ids := map[string]string{}
	for _, c := range []struct{ kind, oven string }{{"move_in", "good"}, {"move_out", "damaged"}} {
		r := h.post("/inspections", url.Values{"kind": {c.kind}, "unit_id": {u.ID.String()}, "template_id": {tpl.ID.String()}}, session)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule %s: %d %.300s", c.kind, r.StatusCode, r.body)
		}
		loc := strings.TrimSuffix(r.Header.Get("Location"), "?notice=saved")
		ids[c.kind] = loc
		if r := h.post(loc+"/start", url.Values{}, session); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", r.StatusCode)
		}
		page := h.get(loc, session)
		if !strings.Contains(page.body, `id="checklist"`) || !strings.Contains(page.body, `id="save-checklist"`) {
			t.Fatalf("inspection page without its form: %.500s", page.body)
		}
		d, err := svc.Inspection(ctx, pm.Actor, mustID(t, strings.TrimPrefix(loc, "/inspections/")))
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		for _, it := range d.Items {
			form.Add("item", it.ID.String())
			rating := "good"
			if it.Item == "Oven" {
				rating = c.oven
			}
			form.Set("rating_"+it.ID.String(), rating)
			form.Set("notes_"+it.ID.String(), c.kind)
		}
		if r := h.post(loc+"/items", form, session); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save checklist: %d %.300s", r.StatusCode, r.body)
		}
		if r := h.post(loc+"/complete", url.Values{}, session); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("complete: %d %.300s", r.StatusCode, r.body)
		}
		if page := h.get(loc, session); strings.Contains(page.body, `id="save-checklist"`) || !strings.Contains(page.body, "Damaged") == (c.oven == "damaged") {
			t.Errorf("completed %s page: form shown or ratings missing: %.300s", c.kind, page.body)
		}
	}
	cmp := h.get(ids["move_out"]+"/comparison", session)
	if cmp.StatusCode != http.StatusOK || strings.Count(cmp.body, `class="worse"`) != 1 ||
		!strings.Contains(cmp.body, "Kitchen — Oven: good at move-in, damaged at move-out") {
		t.Errorf("comparison: %d %.2000s", cmp.StatusCode, cmp.body)
	}
	list := h.get("/inspections?unit="+u.ID.String(), session)
	if strings.Count(list.body, `<tr data-id=`) != 2 {
		t.Errorf("unit's inspections: %.1000s", list.body)
	}
}

func mustID(t *testing.T, s string) realty.ID {
	t.Helper()
	id, err := realty.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
