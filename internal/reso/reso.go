// Package reso serves the read side of the RESO Web API (Core 2.0, OData
// 4.0) at /reso/odata/: the service document, $metadata, and the Property,
// Member, OpenHouse, Media, Office and Lookup entity sets with $select,
// $filter (with string and date functions), $orderby, $top, $skip, $count,
// $expand, /$count, the odata.maxpagesize preference and next links. Every
// request is authenticated with a bearer credential and read inside its
// organization (row-level security applies), in one round trip to
// PostgreSQL (two with $expand). docs/reso.md describes it.
package reso

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Root is the service root path.
const Root = "/reso/odata/"

// Deps are what the endpoint needs.
type Deps struct {
	Log  *slog.Logger
	Pool *postgres.Pool
	// Org authenticates bearer credentials; without it every request is
	// answered 401.
	Org *org.Service
	// Identity issues access tokens at TokenPath (oauth.go); Limits rate-limits
	// each credential (nil: no limit).
	Identity *identity.Service
	Limits   *org.RateLimits
}

type handler struct {
	log    *slog.Logger
	pool   *postgres.Pool
	orgs   *org.Service
	ids    *identity.Service
	limits *org.RateLimits
}

// Mount registers the endpoint on mux. Every answer under /reso/, errors
// included, is OData JSON (or $metadata's XML).
func Mount(mux *http.ServeMux, d Deps) {
	h := &handler{log: d.Log, pool: d.Pool, orgs: d.Org, ids: d.Identity, limits: d.Limits}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	mux.HandleFunc("GET /reso/odata", h.serveRoot)
	mux.HandleFunc("GET /reso/odata/{$}", h.serveRoot)
	mux.HandleFunc("GET /reso/odata/{resource}", h.serveResource)
	mux.HandleFunc("POST "+TokenPath, h.serveToken)
	mux.HandleFunc("GET "+metadataPath, h.serveAuthMetadata)
	mux.HandleFunc("GET /reso/odata/{resource}/$count", h.serveCount)
	mux.HandleFunc("/reso/", h.serveNoRoute)
}

func (h *handler) serveNoRoute(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the RESO Web API here is read-only: GET only")
		return
	}
	writeError(w, http.StatusNotFound, "NotFound", "no such resource: the service document is at "+Root)
}

func (h *handler) serveRoot(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.authorize(w, r, nil); ok {
		write(w, http.StatusOK, jsonType, serviceDocument(origin(r)))
	}
}

// serveResource answers $metadata, an entity set, or one entity by key.
func (h *handler) serveResource(w http.ResponseWriter, r *http.Request) {
	segment := r.PathValue("resource")
	if segment == "$metadata" {
		if _, ok := h.authorize(w, r, nil); ok {
			write(w, http.StatusOK, xmlType, metadataXML())
		}
		return
	}
	name, key, keyed, err := splitKey(segment)
	set := entitySetNamed(name)
	actor, ok := h.authorize(w, r, set)
	switch {
	case !ok:
	case set == nil:
		h.fail(w, r, &realty.Error{Kind: realty.NotFound, Message: "no entity set " + name + ": see " + Root})
	case err != nil:
		h.fail(w, r, err)
	case keyed && key.name != "" && key.name != set.Key:
		h.fail(w, r, realty.Errorf(realty.Invalid, "the key of %s is %s", set.Name, set.Key))
	case keyed:
		h.serveEntity(w, r, set, actor, key.value)
	default:
		h.serveCollection(w, r, set, actor)
	}
}

// keyLiteral is the key of Property('A') or Property(ListingKey='A').
type keyLiteral struct{ name, value string }

// splitKey splits "Name('key')" into the name and the key (quotes doubled
// inside a key stand for one). Invalid for a malformed key.
func splitKey(segment string) (string, keyLiteral, bool, error) {
	open := strings.IndexByte(segment, '(')
	if open < 0 {
		return segment, keyLiteral{}, false, nil
	}
	name, inner := segment[:open], segment[open+1:]
	bad := realty.Errorf(realty.Invalid, "malformed key in %s: write %s('KEY'), with quotes in the key doubled", segment, name)
	inner, ok := strings.CutSuffix(inner, ")")
	if !ok {
		return name, keyLiteral{}, true, bad
	}
	var k keyLiteral
	if eq := strings.IndexByte(inner, '='); eq > 0 && !strings.HasPrefix(inner, "'") {
		k.name, inner = strings.TrimSpace(inner[:eq]), strings.TrimSpace(inner[eq+1:])
	}
	if len(inner) < 2 || inner[0] != '\'' || inner[len(inner)-1] != '\'' {
		return name, k, true, bad
	}
	body := inner[1 : len(inner)-1]
	if strings.Contains(strings.ReplaceAll(body, "''", ""), "'") || !utf8.ValidString(body) || strings.IndexByte(body, 0) >= 0 {
		return name, k, true, bad
	}
	k.value = strings.ReplaceAll(body, "''", "'")
	return name, k, true, nil
}

// authorize authenticates the request and checks it may read set (or the
// service as a whole when set is nil); on refusal it has answered.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request, set *entitySet) (realty.Actor, bool) {
	actor, err := h.authenticate(w, r)
	if err == nil && set != nil && set.Permission != "" {
		err = actor.Require(set.Permission)
	}
	if err != nil {
		h.fail(w, r, err)
		return actor, false
	}
	return actor, true
}

// authenticate resolves the bearer credential (an API key, an access token
// issued for one, or a session token) to an actor holding listing.read in
// an organization, and spends one request of its rate limit.
// Unauthenticated without a valid credential; Forbidden without the
// permission; RateLimited past the limit.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (realty.Actor, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || h.orgs == nil {
		return realty.Actor{}, errNoCredential
	}
	p, err := h.orgs.Authenticate(r.Context(), token, client(r))
	if err == nil {
		err = h.admit(w, r, p)
	}
	if err != nil {
		return realty.Actor{}, err
	}
	if p.MFASetupRequired {
		return realty.Actor{}, &realty.Error{Kind: realty.Forbidden, Message: "your organization requires two-factor authentication"}
	}
	return p.Actor, p.Actor.Require("listing.read")
}

// client describes the caller for the security log: the connection's
// address (forwarding headers are not trusted) and the user agent.
func client(r *http.Request) identity.Client {
	c := identity.Client{UserAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.IP, _ = netip.ParseAddr(host)
	}
	return c
}

// origin is scheme://host of the request, for the absolute URLs of
// @odata.context, next links and media.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// OData error codes by realty error kind; every 4xx and 5xx of the
// endpoint carries {"error":{"code":…,"message":…}}.
var errorStatus = map[realty.Kind]struct {
	status int
	code   string
}{
	realty.Invalid:         {http.StatusBadRequest, "BadRequest"},
	realty.Unauthenticated: {http.StatusUnauthorized, "Unauthorized"},
	realty.Forbidden:       {http.StatusForbidden, "Forbidden"},
	realty.NotFound:        {http.StatusNotFound, "NotFound"},
	realty.Conflict:        {http.StatusConflict, "Conflict"},
	realty.RateLimited:     {http.StatusTooManyRequests, "TooManyRequests"},
	realty.Unavailable:     {http.StatusServiceUnavailable, "ServiceUnavailable"},
	realty.Internal:        {http.StatusInternalServerError, "InternalServerError"},
}

var errNoCredential = &realty.Error{Kind: realty.Unauthenticated,
	Message: "send Authorization: Bearer <API key or access token> (an rk_… key with listing.read, or a token from " + TokenPath + ")"}

// fail answers err as an OData error: the caller-safe message for known
// kinds, "internal error" (and a log line) for anything else.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := realty.KindOf(err)
	s, ok := errorStatus[kind]
	if !ok {
		s = errorStatus[realty.Internal]
	}
	if s.status >= 500 {
		h.log.ErrorContext(r.Context(), "reso request failed", "path", r.URL.Path, "err", err)
	}
	if s.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="realty"`)
	}
	writeError(w, s.status, s.code, realty.MessageOf(err))
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	buf := getBuffer()
	defer putBuffer(buf)
	buf.WriteString(`{"error":{"code":`)
	appendJSONString(buf, []byte(code))
	buf.WriteString(`,"message":`)
	appendJSONString(buf, []byte(message))
	buf.WriteString("}}")
	write(w, status, jsonType, buf.Bytes())
}

const (
	jsonType = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"
	xmlType  = "application/xml;charset=utf-8"
	textType = "text/plain;charset=utf-8"
)

// write sends a complete body with the headers every answer carries.
func write(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("OData-Version", "4.0")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Response buffers are pooled; very large ones are left to the collector.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 {
		buffers.Put(b)
	}
}
