package main

import (
	"context"
	"io"
	"net/http"
)

// Search is one W1 listing search: the same parameters go to realty's API,
// to the raw SQL and to every peer, so all answer the same question.
type Search struct {
	// Shape is one of the W1 shapes: ShapeStatusCity, ShapeBedsBaths,
	// ShapeAgent, ShapeNewest.
	Shape string
	// OrgID is the organization whose listings are searched (UUID text).
	OrgID string
	// Status is a RESO StandardStatus ("Active"); ShapeStatusCity.
	Status string
	// City is a city name exactly as stored; ShapeStatusCity.
	City string
	// MinPrice and MaxPrice bound list_price; ShapeStatusCity and ShapeBedsBaths.
	MinPrice, MaxPrice int64
	// MinBeds and MinBaths are lower bounds; ShapeBedsBaths.
	MinBeds  int
	MinBaths float64
	// AgentID is list_agent_id (a member id, UUID text); ShapeAgent.
	AgentID string
	// Limit is the page size (20).
	Limit int
}

// The W1 shapes and the ordering each one asks for.
const (
	// status = Status AND city = City AND price in range, ORDER BY list_price ASC, id ASC.
	ShapeStatusCity = "status_city_price"
	// bedrooms >= MinBeds AND bathrooms >= MinBaths AND price in range,
	// ORDER BY list_price ASC, id ASC.
	ShapeBedsBaths = "beds_baths_price"
	// list_agent_id = AgentID, ORDER BY original_entry_timestamp DESC, id DESC.
	ShapeAgent = "agent_newest"
	// no filter, ORDER BY original_entry_timestamp DESC, id DESC.
	ShapeNewest = "newest"
)

// Shapes are the W1 shapes in report order.
var Shapes = []string{ShapeStatusCity, ShapeBedsBaths, ShapeAgent, ShapeNewest}

// ExportColumns are the listing columns exported for the peers, in the
// order of the CSV's header row: what realty's search summary returns.
var ExportColumns = []string{
	"id", "organization_id", "listing_key", "standard_status", "list_type", "property_type", "list_price",
	"street_address", "city", "state_province", "postal_code", "latitude", "longitude",
	"bedrooms_total", "bathrooms_total", "living_area", "primary_photo", "photos_count", "list_agent_id",
	"original_entry_timestamp", "modification_timestamp",
}

// PeerEnv is what a peer is started with.
type PeerEnv struct {
	// Repo is the repository root (bench/peers/<name>/setup.sh lives below it).
	Repo string
	// Work is the peer's own scratch directory (under bench/work, ignored by git).
	Work string
	// CSV is the exported listings: a header row of ExportColumns, then one row
	// per listing (PostgreSQL COPY … CSV HEADER format; empty field = NULL).
	CSV string
	// Rows is the number of listings in CSV.
	Rows int
	// Orgs are the organization ids present in CSV.
	Orgs []string
	// AdminURL is a superuser URL of the benchmark's PostgreSQL cluster, for
	// peers that store their data in PostgreSQL (a peer makes its own
	// database there; it never touches realty's).
	AdminURL string
	// Addr is the 127.0.0.1:port the peer must listen on.
	Addr string
	// Log receives the peer's set-up and server output.
	Log io.Writer
}

// Peer is another system measured on the same data.
type Peer interface {
	// Name is the peer's name in reports ("pocketbase", "directus").
	Name() string
	// Start runs bench/peers/<name>/setup.sh if needed, loads env.CSV
	// (reusing a load of the same CSV from an earlier run when it can), starts
	// the server on env.Addr and returns once it answers.
	Start(ctx context.Context, env PeerEnv) (Running, error)
}

// Running is a started peer.
type Running interface {
	// Do performs one W1 search the way a client of the peer would: an
	// authenticated request scoped to s.OrgID, returning s.Limit rows in the
	// shape's order. It reads the whole body and returns an error unless the
	// answer is a 2xx.
	Do(ctx context.Context, client *http.Client, s Search) error
	// PIDs are the processes whose CPU time and memory count as the peer's
	// (server and, for peers on PostgreSQL, nothing of PostgreSQL's: the
	// harness counts the cluster separately).
	PIDs() []int
	// Stop stops the server and waits for it to exit.
	Stop() error
}

// Describer is a peer that says, for the report, what it is and how it was
// set up (version, storage, how tenants are kept apart).
type Describer interface {
	Describe() string
}

// peers are the peers the harness knows, by name.
var peers = map[string]Peer{}

// registerPeer adds a peer; each peer's file calls it from init.
func registerPeer(p Peer) { peers[p.Name()] = p }
