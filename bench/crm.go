package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// W9 reads the CRM: the client list with filters and a client's timeline,
// one page each, through the API and as the raw SQL the crm package runs
// for them.

// crmData is what the W9 request generator draws from for one organization.
type crmData struct {
	Agents  []realty.ID // members with clients
	Clients []realty.ID // a sample of the organization's clients
	Names   []string    // the first letters of last names clients have
}

// loadCRM reads a sample of the organization's clients, the agents who have
// clients and pieces of their names, through the superuser connection.
func (o *orgData) loadCRM(ctx context.Context, admin *pgx.Conn) error {
	var err error
	read := func(sql string, dst any) {
		if err != nil {
			return
		}
		var rows pgx.Rows
		if rows, err = admin.Query(ctx, sql, o.ID); err == nil {
			switch d := dst.(type) {
			case *[]realty.ID:
				*d, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
			case *[]string:
				*d, err = pgx.CollectRows(rows, pgx.RowTo[string])
			}
		}
	}
	read(`SELECT id FROM crm.clients WHERE organization_id = $1 AND merged_into IS NULL ORDER BY md5(id::text) LIMIT 256`, &o.CRM.Clients)
	read(`SELECT DISTINCT assigned_agent_id FROM crm.clients WHERE organization_id = $1 AND assigned_agent_id IS NOT NULL`, &o.CRM.Agents)
	read(`SELECT DISTINCT lower(left(last_name, 4)) FROM crm.clients WHERE organization_id = $1 AND length(last_name) >= 3`, &o.CRM.Names)
	if err == nil && (len(o.CRM.Clients) == 0 || len(o.CRM.Agents) == 0 || len(o.CRM.Names) == 0) {
		err = fmt.Errorf("%s has no CRM clients (seed with --clients)", o.Slug)
	}
	o.crmActor = realty.Actor{OrgID: o.ID, Permissions: []string{"client.read", "client.manage"}}
	return err
}

// clientSearch is one W9 list request: a stage, an agent and a piece of a
// name, newest first, one page of 20.
type clientSearch struct {
	Stage, Q string
	Agent    realty.ID
}

var crmStages = []string{"lead", "prospect", "active", "under_contract", "closed", "lost"}

func drawClientSearch(rng *rand.Rand, orgs []*orgData) (*orgData, clientSearch) {
	o := orgs[rng.IntN(len(orgs))]
	return o, clientSearch{Stage: crmStages[rng.IntN(len(crmStages))], Agent: o.CRM.Agents[rng.IntN(len(o.CRM.Agents))],
		Q: o.CRM.Names[rng.IntN(len(o.CRM.Names))]}
}

func drawClient(rng *rand.Rand, orgs []*orgData) (*orgData, realty.ID) {
	o := orgs[rng.IntN(len(orgs))]
	return o, o.CRM.Clients[rng.IntN(len(o.CRM.Clients))]
}

// The raw side's SQL is the crm package's, copied (internal/crm: crm.go's
// clientScope, clients.go's clientColumns, list.go's List, timeline.go's
// timelineSQL) with the arguments it binds for an actor holding
// client.manage; keep it in step when those change.
const (
	crmClientColumns = `c.id, c.stage, c.nurture_status, c.source, c.assigned_agent_id, c.first_name, c.last_name, c.email::text AS email,
	c.phone, c.budget_min, c.budget_max, c.tags, c.notes, c.email_consent, c.email_consent_at, c.sms_consent, c.sms_consent_at,
	c.last_contacted_at, c.created_by, c.created_at, c.updated_at`
	crmClientScope = `c.organization_id = @org AND c.merged_into IS NULL
	AND (@all::bool OR c.assigned_agent_id = @me OR c.created_by = @me)`
	crmListSQL = `SELECT ` + crmClientColumns + ` FROM crm.clients c
		WHERE ` + crmClientScope + ` AND c.stage = @stage AND c.assigned_agent_id = @agent AND c.search_text LIKE '%' || @q || '%'` +
		` ORDER BY c.created_at DESC, c.id DESC LIMIT @limit`
	crmGetSQL = `SELECT ` + crmClientColumns + ` FROM crm.clients c
		WHERE ` + crmClientScope + ` AND c.id = @id`
	crmTimelineSQL = `SELECT * FROM (
	SELECT 'interaction' AS kind, id, occurred_at AS at, member_id, type, NULL::text AS title, notes AS detail, outcome
	FROM crm.interactions WHERE organization_id = @org AND client_id = @client AND (@first OR (occurred_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'task', id, created_at, owner_id, status, title, description, priority
	FROM crm.tasks WHERE organization_id = @org AND client_id = @client AND (@first OR (created_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'stage_change', id, changed_at, changed_by, to_stage, from_stage, reason, NULL
	FROM crm.client_stage_changes WHERE organization_id = @org AND client_id = @client AND (@first OR (changed_at, id) < (@c_at, @c_id))
) t ORDER BY at DESC, id DESC LIMIT @limit`
)

// crmPage is W9's page size; realty asks the database for one more row to
// know whether a next page exists, and so does the raw side.
const crmPage = 20

func crmScopeArgs(o *orgData) pgx.NamedArgs {
	return pgx.NamedArgs{"org": o.ID, "all": true, "me": (*realty.ID)(nil)}
}

func (e *env) w9list() workload {
	api, raw := newRNGs(9), newRNGs(9)
	return workload{ID: "W9", Name: "client_list",
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, s := drawClientSearch(api.of(c), e.orgs)
			v := url.Values{"stage": {s.Stage}, "agent": {s.Agent.String()}, "q": {s.Q}, "limit": {fmt.Sprint(crmPage)}}
			return e.get(ctx, "/api/v1/clients?"+v.Encode(), o.Key, `{"items":[`)
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, s := drawClientSearch(raw.of(c), e.orgs)
			args := crmScopeArgs(o)
			args["stage"], args["agent"], args["q"], args["limit"] = s.Stage, s.Agent, escapeLike(s.Q), crmPage+1
			return e.sql(ctx, o.crmActor, crmListSQL, args)
		}, none}}
}

func (e *env) w9timeline() workload {
	api, raw := newRNGs(10), newRNGs(10)
	return workload{ID: "W9", Name: "client_timeline",
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, id := drawClient(api.of(c), e.orgs)
			return e.get(ctx, "/api/v1/clients/"+id.String()+"/timeline?limit="+fmt.Sprint(crmPage), o.Key, `{"items":[`)
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, id := drawClient(raw.of(c), e.orgs)
			args := crmScopeArgs(o)
			args["id"] = id
			if err := e.sql(ctx, o.crmActor, crmGetSQL, args); err != nil {
				return err
			}
			return e.sql(ctx, o.crmActor, crmTimelineSQL, pgx.NamedArgs{"org": o.ID, "client": id, "limit": crmPage + 1,
				"first": true, "c_at": time.Time{}, "c_id": realty.ID{}})
		}, none}}
}

// escapeLike is the crm package's escaping of a search term for LIKE.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
