package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// w10Title prefixes the titles of the deals W10 seeds; the first's presence
// means the organization's deals and documents are seeded.
const w10Title = "W10 deal"

// seedDeals gives the organization, unless it has them, deals spread over
// the pipeline (most ended, a few per cent open) with their stage history,
// and documents of 3 to 5 versions (about versions/4 documents) filed
// against those deals, the organization's listings and its clients, each
// version with extracted text drawn from the vocabulary below and the
// search document the upload path computes from it. Set-based statements
// in one transaction through the superuser connection, triggers off
// (session_replication_role = replica: no audit rows, so the columns the
// service sets — current_version_id, search_document — are written here).
// It returns how long seeding took, 0 when the data was there.
func seedDeals(ctx context.Context, admin *pgx.Conn, org realty.ID, deals, versions int) (time.Duration, error) {
	var seeded bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM deal.deals WHERE organization_id = $1 AND title = $2 || ' 1')`,
		org, w10Title).Scan(&seeded); err != nil || seeded {
		return 0, err
	}
	docs := max(versions/4, 1)
	fmt.Fprintf(os.Stderr, "  W10 seed %d deals and %d documents (about %d versions)\n", deals, docs, versions)
	start := time.Now()
	tx, err := admin.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if err := postgres.SetOrg(ctx, tx, org); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `SELECT setseed(0.1)`); err != nil {
		return 0, err
	}
	args := pgx.NamedArgs{"org": org, "deals": deals, "docs": docs, "title": w10Title, "categories": w10Categories,
		"common": w10Common, "terms": w10Terms, "rare": w10Rare}
	for _, stmt := range seedDealsSQL {
		if _, err := tx.Exec(ctx, stmt, args); err != nil {
			return 0, fmt.Errorf("%.70s: %w", strings.TrimSpace(stmt), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	if _, err := admin.Exec(ctx, `VACUUM (ANALYZE) deal.deals, deal.deal_stage_history, document.documents, document.document_versions`); err != nil {
		return 0, err
	}
	took := time.Since(start)
	fmt.Fprintf(os.Stderr, "  W10 seeded in %.1f s\n", took.Seconds())
	return took, nil
}

// seedDealsSQL are seedDeals' statements (named arguments: org, deals,
// docs, title, categories, common, terms, rare). Stages by a hash of the
// deal's number: 1.2 % lead, 1.6 % active, 0.8 % offer, 1 % under
// contract, 0.6 % due diligence, 0.4 % clear to close, 70 % closed, 14 %
// fell through, 10.4 % withdrawn; each deal's path through the machine
// (deal.Transitions) becomes its stage history, the last step at its
// stage_changed_at.
var seedDealsSQL = []string{
	// The agents: the members who list the organization's listings.
	`CREATE TEMP TABLE w10_agents ON COMMIT DROP AS
		SELECT row_number() OVER (ORDER BY id) - 1 AS k, id
		FROM (SELECT DISTINCT list_agent_id AS id FROM listing.listings WHERE organization_id = @org AND list_agent_id IS NOT NULL) AS a`,
	`DO $$ BEGIN IF NOT EXISTS (SELECT FROM w10_agents) THEN RAISE EXCEPTION 'the organization has no agent'; END IF; END $$`,
	`CREATE TEMP TABLE w10_listings ON COMMIT DROP AS
		SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, property_id FROM listing.listings WHERE organization_id = @org`,
	`CREATE TEMP TABLE w10_clients ON COMMIT DROP AS
		SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM crm.clients WHERE organization_id = @org AND merged_into IS NULL`,
	`CREATE TEMP TABLE w10_deals ON COMMIT DROP AS
		SELECT x.*, x.changed - cardinality(x.path) * (3 + random() * 12) * interval '1 day' AS created
		FROM (SELECT s.n, s.id, s.stage, s.agent_k, s.listing_k,
				CASE s.stage WHEN 'closed' THEN p.a || 'closed'::text
					WHEN 'fell_through' THEN p.a[1:3 + s.n % 4] || 'fell_through'::text
					WHEN 'withdrawn' THEN p.a[1:1 + s.n % 3] || 'withdrawn'::text
					ELSE p.a[1:array_position(p.a, s.stage)] END AS path,
				CASE WHEN s.stage IN ('closed', 'fell_through', 'withdrawn') THEN now() - random() * interval '1095 days'
					ELSE now() - random() * interval '60 days' END AS changed,
				(150000 + (s.n * 7919) % 1350000)::numeric(14, 2) AS price
			FROM (SELECT n, gen_random_uuid() AS id, n % (SELECT count(*) FROM w10_agents) AS agent_k,
					n % greatest((SELECT count(*) FROM w10_listings), 1) AS listing_k,
					CASE WHEN h < 12 THEN 'lead' WHEN h < 28 THEN 'active' WHEN h < 36 THEN 'offer' WHEN h < 46 THEN 'under_contract'
						WHEN h < 52 THEN 'due_diligence' WHEN h < 56 THEN 'clear_to_close' WHEN h < 756 THEN 'closed'
						WHEN h < 896 THEN 'fell_through' ELSE 'withdrawn' END AS stage
				FROM (SELECT n, (n * 7919) % 1000 AS h FROM generate_series(1, @deals::int) AS n) AS g) AS s
			CROSS JOIN (SELECT ARRAY['lead', 'active', 'offer', 'under_contract', 'due_diligence', 'clear_to_close'] AS a) AS p) AS x`,
	// A deal that reached under_contract has its contract date (the day of
	// that step) and an expected close 30 to 44 days later.
	`INSERT INTO deal.deals (organization_id, id, title, kind, side, stage, property_id, listing_id, agent_id, price, contract_date,
			expected_close, actual_close, close_price, notes, stage_changed_at, created_by, created_at, updated_at)
		SELECT @org::uuid, d.id, @title || ' ' || d.n, (ARRAY['purchase', 'sale', 'purchase', 'sale', 'lease', 'referral', 'refinance'])[1 + d.n % 7],
			(ARRAY['buyer', 'seller', 'buyer', 'seller', 'dual'])[1 + d.n % 5], d.stage, l.property_id, l.id, a.id, d.price, c.contract,
			coalesce(c.contract + 30 + d.n % 15, (d.created + interval '90 days')::date),
			CASE WHEN d.stage = 'closed' THEN d.changed::date END,
			CASE WHEN d.stage = 'closed' THEN round(d.price * (0.95 + (d.n % 9) * 0.01), 2) END,
			CASE WHEN d.n % 4 = 0 THEN 'Buyer pre-approved; inspection scheduled with the usual inspector.' END,
			d.changed, a.id, d.created, d.changed
		FROM w10_deals d JOIN w10_agents a ON a.k = d.agent_k LEFT JOIN w10_listings l ON l.k = d.listing_k
		CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(d.path) >= 4 AND d.path[4] = 'under_contract'
			THEN (d.created + (d.changed - d.created) * (3.0 / (cardinality(d.path) - 1)))::date END AS contract) AS c`,
	`INSERT INTO deal.deal_stage_history (organization_id, id, deal_id, from_stage, to_stage, reason, changed_by, changed_at, created_at, updated_at)
		SELECT @org::uuid, gen_random_uuid(), d.id, d.path[s.i - 1], s.stage, CASE WHEN s.i = 1 THEN 'opened' END, a.id, t.at, t.at, t.at
		FROM w10_deals d JOIN w10_agents a ON a.k = d.agent_k
		CROSS JOIN LATERAL unnest(d.path) WITH ORDINALITY AS s(stage, i)
		CROSS JOIN LATERAL (SELECT d.created + (d.changed - d.created) * ((s.i - 1)::float8 / greatest(cardinality(d.path) - 1, 1)) AS at) AS t`,
	// Documents: six in ten filed against a deal, two against a listing,
	// two against a client (a listing when there are none).
	`CREATE TEMP TABLE w10_docs ON COMMIT DROP AS
		SELECT x.k, gen_random_uuid() AS id, 3 + x.k % 3 AS versions, x.category, x.entity_type,
			coalesce(d.id, l.id, c.id) AS entity_id, coalesce(d.property_id, l.property_id) AS property_id, a.id AS agent,
			initcap(replace(x.category, '_', ' ')) || ' ' || x.k AS title, now() - random() * interval '1000 days' AS created
		FROM (SELECT k, (@categories::text[])[1 + k % cardinality(@categories::text[])] AS category,
				CASE WHEN k % 10 < 6 THEN 'deal' WHEN k % 10 < 8 OR NOT EXISTS (SELECT FROM w10_clients) THEN 'listing' ELSE 'client' END AS entity_type
			FROM generate_series(1, @docs::int) AS k) AS x
		LEFT JOIN (SELECT w.n, w.id, dd.property_id FROM w10_deals w JOIN deal.deals dd ON dd.organization_id = @org AND dd.id = w.id) AS d
			ON x.entity_type = 'deal' AND d.n = 1 + (x.k * 7) % @deals::int
		LEFT JOIN w10_listings l ON x.entity_type = 'listing' AND l.k = x.k % greatest((SELECT count(*) FROM w10_listings), 1)
		LEFT JOIN w10_clients c ON x.entity_type = 'client' AND c.k = x.k % greatest((SELECT count(*) FROM w10_clients), 1)
		JOIN w10_agents a ON a.k = x.k % (SELECT count(*) FROM w10_agents)`,
	// Each version's text: 24 to 39 common words, three of the search
	// terms and, one time in ten, a rare word.
	`CREATE TEMP TABLE w10_versions ON COMMIT DROP AS
		SELECT d.id AS document_id, v.n AS version, gen_random_uuid() AS id, d.created + (v.n - 1) * interval '9 days' AS at,
			lower(replace(d.category, '_', '-')) || '-' || d.k || '-v' || v.n || '.pdf' AS file_name,
			(SELECT string_agg(w, ' ') FROM (
				SELECT (@common::text[])[1 + floor(random() * cardinality(@common::text[]))::int] AS w FROM generate_series(1, 24 + (d.k + v.n) % 16)
				UNION ALL SELECT (@terms::text[])[1 + floor(random() * cardinality(@terms::text[]))::int] FROM generate_series(1, 3 + 0 * v.n)
				UNION ALL SELECT (@rare::text[])[1 + floor(random() * cardinality(@rare::text[]))::int] WHERE random() < 0.1 + 0 * v.n) AS t) AS text
		FROM w10_docs d CROSS JOIN LATERAL generate_series(1, d.versions) AS v(n)`,
	`INSERT INTO document.documents (organization_id, id, title, category, entity_type, entity_id, property_id, visibility,
			current_version_id, created_by, created_at, updated_at)
		SELECT @org::uuid, d.id, d.title, d.category, d.entity_type, d.entity_id, d.property_id,
			CASE WHEN d.k % 20 = 0 THEN 'participants' ELSE 'staff' END, v.id, d.agent, d.created, v.at
		FROM w10_docs d JOIN w10_versions v ON v.document_id = d.id AND v.version = d.versions`,
	// The search document is the upload path's (document.searchExpr: the
	// title, the file name and the text, weighted A, B and C) on the
	// current version, empty on the older ones.
	`INSERT INTO document.document_versions (organization_id, id, document_id, version, blob_key, sha256, size_bytes, content_type,
			file_name, uploaded_by, extracted_text, search_document, created_at, updated_at)
		SELECT @org::uuid, v.id, v.document_id, v.version, h.hex, h.hex, 20000 + length(v.text) * 37, 'application/pdf', v.file_name,
			d.agent, v.text, CASE WHEN v.version = d.versions THEN setweight(to_tsvector('english', d.title), 'A') ||
				setweight(to_tsvector('english', v.file_name), 'B') || setweight(to_tsvector('english', v.text), 'C') ELSE ''::tsvector END,
			v.at, v.at
		FROM w10_versions v JOIN w10_docs d ON d.id = v.document_id
		CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(v.id::text, 'UTF8')), 'hex') AS hex) AS h`,
}

// w10Categories are the documents' categories.
var w10Categories = []string{"purchase_agreement", "inspection_report", "seller_disclosure", "appraisal", "title_commitment",
	"closing_disclosure", "lease_agreement", "addendum", "earnest_money_receipt", "loan_estimate", "survey", "hoa_documents"}

// w10Common are words most versions hold (stop words included, as in real
// text); W10 never searches for them.
var w10Common = strings.Fields(`the of and to a in for is on that by this with be as at from or are an will any shall
	buyer seller property agreement party parties closing date price purchase contract escrow title deed lender loan
	mortgage inspection disclosure agent broker commission deposit earnest money signed signature page section clause
	terms conditions notice days business written herein thereof provided pursuant effective delivery possession
	premises real estate county state city street address parcel lot legal description survey appraisal value
	amount paid payment due balance funds account records report condition repair repairs home house residence
	dwelling unit floor roof wall window door kitchen bath bedroom garage yard fence utilities water electric gas
	tax taxes assessment insurance policy coverage association fees rules owner owners tenant lease rent month year
	period term renewal termination default remedy attorney counsel law laws applicable governing copy original
	received acknowledged initial initials review approval approved accepted offer counteroffer contingency
	financing commitment schedule exhibit attached hereto`)

// w10Terms are the words W10 mostly searches for: each version holds three
// of them, so one is in about 1.2 % of the documents.
var w10Terms = strings.Fields(`asbestos radon termite mold cistern septic wellhead sump easement encroachment
	setback variance zoning floodplain wetland boundary driveway culvert retaining gazebo pergola veranda balcony
	skylight chimney fireplace furnace boiler heatpump ductwork insulation drywall plaster stucco siding shingle
	gutter downspout foundation crawlspace basement attic joist rafter truss beam lintel masonry brickwork granite
	marble quartz terrazzo hardwood parquet laminate linoleum carpet wainscoting crown molding baseboard cabinetry
	pantry laundry mudroom sunroom solarium conservatory library studio loft penthouse duplex triplex townhouse
	condominium cooperative bungalow cottage chalet ranch farmhouse colonial victorian craftsman tudor mediterranean
	adobe modernist brutalist sprinkler irrigation landscaping orchard vineyard pasture paddock stable barn silo
	greenhouse workshop carport shed dock marina waterfront lakefront oceanfront riverside hillside canyon meadow
	woodland prairie desert tundra glacier volcano lagoon estuary peninsula archipelago harbor lighthouse boardwalk
	promenade plaza courtyard atrium cloister rotunda belvedere cupola turret parapet balustrade colonnade portico
	vestibule foyer parlor drawing ballroom wine cellar sauna jacuzzi hottub poolhouse cabana tennis pickleball
	squash bowling billiard theater cinema elevator escalator dumbwaiter intercom doorbell thermostat generator
	solar photovoltaic inverter battery charger turbine geothermal propane kerosene heating oil tank lien judgment
	probate foreclosure bankruptcy receivership auction estoppel subordination indemnity arbitration mediation
	litigation rescission novation assignment sublease guarantor cosigner underwriter surveyor notary
	fiduciary trustee executor beneficiary grantor grantee mortgagor mortgagee lessor lessee licensor`)

// w10Rare are words one version in ten holds one of: each is in about
// 0.15 % of the documents.
var w10Rare = strings.Fields(`quagmire zeppelin xylophone quokka narwhal axolotl pangolin okapi tapir wombat
	chinchilla ocelot caracal fennec dugong manatee platypus echidna kookaburra cassowary albatross cormorant
	flamingo pelican toucan hornbill macaw cockatoo lorikeet budgerigar iguana chameleon gecko salamander newt
	tarantula scorpion centipede millipede firefly dragonfly damselfly mayfly cicada katydid mantis beetle weevil
	aphid ladybird bumblebee hornet yellowjacket`)
