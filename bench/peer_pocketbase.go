package main

// The PocketBase peer: PocketBase embedded as a Go framework in pbbench
// (bench/peers/pocketbase, its own module, built by setup.sh), its SQLite
// data directory holding the exported listings as a `listings` collection
// with realty's W1 indexes. The collection's list rule keeps each user to
// its organization's rows; each organization has one user of the built-in
// users collection, and W1 searches go through the list API with that
// user's token and skipTotal=1. See bench/peers/pocketbase/README.md.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func init() { registerPeer(pocketbasePeer{}) }

const (
	// pocketbaseUserDomain and pocketbasePassword are the organization
	// users' e-mail domain and password, as pbbench load makes them.
	pocketbaseUserDomain = "@pocketbase-bench.example.com"
	pocketbasePassword   = "pocketbase-bench-password"
)

type pocketbasePeer struct{}

func (pocketbasePeer) Name() string { return "pocketbase" }

// Describe is the report's note on PocketBase.
func (pocketbasePeer) Describe() string {
	return "PocketBase " + pocketbaseVersion() + " embedded as a Go framework (bench/peers/pocketbase, its own " +
		"module), SQLite in WAL mode in its data directory, the same listings as a base collection with realty's " +
		"W1 indexes; the list rule `organization_id = @request.auth.organization_id` keeps each user to its " +
		"organization, one user per organization, list API with `skipTotal=1`. Each request also filters on " +
		"organization_id: the rule alone compiles to a COALESCE comparison that no index serves."
}

// pocketbaseVersion is the PocketBase version pinned by the peer's go.mod.
func pocketbaseVersion() string {
	b, err := os.ReadFile(filepath.Join("bench", "peers", "pocketbase", "go.mod"))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "github.com/pocketbase/pocketbase" {
			return f[1]
		}
	}
	return "?"
}

// pocketbaseServer is a started pbbench serve.
type pocketbaseServer struct {
	base   string            // http://127.0.0.1:port
	tokens map[string]string // organization id → its user's auth token
	*peerProc
}

func (pocketbasePeer) Start(ctx context.Context, env PeerEnv) (Running, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(env.Log, "== pocketbase: "+format+"\n", args...) }
	logf("setup.sh")
	setup := exec.CommandContext(ctx, "bash", filepath.Join(env.Repo, "bench", "peers", "pocketbase", "setup.sh"), env.Work)
	setup.Stdout, setup.Stderr = env.Log, env.Log
	if err := setup.Run(); err != nil {
		return nil, fmt.Errorf("pocketbase setup.sh: %w", err)
	}
	bin, data := filepath.Join(env.Work, "pbbench"), filepath.Join(env.Work, "data")

	logf("load %s", env.CSV)
	load := exec.CommandContext(ctx, bin, "load", "--dir", data, "--csv", env.CSV)
	load.Stdout, load.Stderr = env.Log, env.Log
	if err := load.Run(); err != nil {
		return nil, fmt.Errorf("pbbench load: %w", err)
	}

	logf("serve on %s", env.Addr)
	cmd := exec.Command(bin, "serve", "--dir", data, "--http", env.Addr)
	cmd.Stdout, cmd.Stderr = env.Log, env.Log
	proc, err := startProc(cmd)
	if err != nil {
		return nil, err
	}
	s := &pocketbaseServer{base: "http://" + env.Addr, tokens: map[string]string{}, peerProc: proc}
	if err := s.waitHealthy(ctx, "pbbench", s.base+"/api/health", "", time.Minute); err != nil {
		_ = s.Stop()
		return nil, err
	}
	for _, org := range env.Orgs {
		token, err := s.login(ctx, org)
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("pocketbase: sign-in of organization %s: %w", org, err)
		}
		s.tokens[org] = token
	}
	logf("ready: %d organization users signed in", len(s.tokens))
	return s, nil
}

// login signs the organization's user in with its password and returns
// the auth token.
func (s *pocketbaseServer) login(ctx context.Context, org string) (string, error) {
	body, _ := json.Marshal(map[string]string{"identity": org + pocketbaseUserDomain, "password": pocketbasePassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/collections/users/auth-with-password", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("%d %.300s", res.StatusCode, data)
	}
	return out.Token, nil
}

// pocketbaseString is a PocketBase filter string literal.
func pocketbaseString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// pocketbaseQuery is the search as list API parameters.
func pocketbaseQuery(s Search) url.Values {
	f := []string{"organization_id = " + pocketbaseString(s.OrgID)}
	sort := "-original_entry_timestamp,-id"
	switch s.Shape {
	case ShapeStatusCity:
		f = append(f, "standard_status = "+pocketbaseString(s.Status), "city = "+pocketbaseString(s.City))
		sort = "list_price,id"
	case ShapeBedsBaths:
		f = append(f, "bedrooms_total >= "+strconv.Itoa(s.MinBeds),
			"bathrooms_total >= "+strconv.FormatFloat(s.MinBaths, 'f', -1, 64))
		sort = "list_price,id"
	case ShapeAgent:
		f = append(f, "list_agent_id = "+pocketbaseString(s.AgentID))
	}
	if s.MaxPrice > 0 {
		f = append(f, "list_price >= "+strconv.FormatInt(s.MinPrice, 10), "list_price <= "+strconv.FormatInt(s.MaxPrice, 10))
	}
	return url.Values{"filter": {strings.Join(f, " && ")}, "sort": {sort},
		"perPage": {strconv.Itoa(s.Limit)}, "skipTotal": {"1"}}
}

func (s *pocketbaseServer) Do(ctx context.Context, client *http.Client, q Search) error {
	token, ok := s.tokens[q.OrgID]
	if !ok {
		return fmt.Errorf("pocketbase: no user for organization %s", q.OrgID)
	}
	path := "/api/collections/listings/records?" + pocketbaseQuery(q).Encode()
	status, body, err := fetch(ctx, client, s.base+path, token)
	if err != nil {
		return err
	}
	if status/100 != 2 || !bytes.Contains(body, []byte(`"items":[`)) {
		return fmt.Errorf("GET %s: %d %.200s", path, status, body)
	}
	return nil
}
