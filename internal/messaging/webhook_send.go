package messaging

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// public reports whether ip is an address on the public internet: not
// loopback, private, link-local, multicast or unspecified.
func public(ip net.IP) bool {
	return ip != nil && !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified())
}

// publicHost refuses a host that resolves to any non-public address.
func publicHost(ctx context.Context, host string) error {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return errors.New("does not resolve")
	}
	for _, a := range addrs {
		if !public(a.IP) {
			return errors.New("names a private, loopback or link-local address")
		}
	}
	return nil
}

// webhookClient posts to endpoints. Its dialer checks the address it
// really connects to (a name may resolve differently than when the
// endpoint was registered), and it follows no redirect.
func webhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if !allowPrivate && !public(net.ParseIP(host)) {
			return fmt.Errorf("refused to connect to %s: not a public address", host)
		}
		return nil
	}}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Sign returns the signature header of body sent at t: t=<unix>, then
// v1=<hex HMAC-SHA256 of "<unix>.<body>"> for each secret.
func Sign(t time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	out := "t=" + ts
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		out += ",v1=" + hex.EncodeToString(mac.Sum(nil))
	}
	return out
}

type endpointSecrets struct {
	Secret         string  `db:"secret"`
	PreviousSecret *string `db:"previous_secret"`
}

// deliverWebhook posts a claimed webhook delivery, records the receiver's
// answer and the outcome.
func (s *Service) deliverWebhook(ctx context.Context, b box, id realty.ID, d claimed) (Attempt, error) {
	var sec endpointSecrets
	err := postgres.Read(ctx, s.pool, b.actor, func(rows pgx.Rows) error {
		var err error
		sec, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[endpointSecrets])
		return err
	}, `SELECT secret, previous_secret FROM messaging.webhook_endpoints WHERE organization_id = $1 AND id = $2`, b.actor.OrgID, d.EndpointID)
	if err != nil {
		return Attempt{}, err
	}
	body, _ := json.Marshal(map[string]any{"id": id, "event": d.Kind, "data": d.Data})
	secrets := []string{sec.Secret}
	if sec.PreviousSecret != nil {
		secrets = append(secrets, *sec.PreviousSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Recipient, bytes.NewReader(body))
	if err != nil {
		return s.finish(ctx, b, id, d, err, true)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Realty-Event", d.Kind)
	req.Header.Set("Realty-Delivery", id.String())
	req.Header.Set("Realty-Signature", Sign(s.now(), body, secrets...))
	resp, sendErr := s.http.Do(req)
	if sendErr == nil {
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		resp.Body.Close()
		if err := s.recordResponse(ctx, b, id, resp.StatusCode, string(answer)); err != nil {
			return Attempt{}, err
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			sendErr = fmt.Errorf("the receiver answered %d", resp.StatusCode)
		}
	}
	return s.finish(ctx, b, id, d, sendErr, false)
}

func (s *Service) recordResponse(ctx context.Context, b box, id realty.ID, status int, body string) error {
	return postgres.Tx(context.WithoutCancel(ctx), s.pool, b.actor, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE messaging.deliveries SET response_status = $3, response_body = $4
			WHERE organization_id = $1 AND id = $2`, b.actor.OrgID, id, status, truncate(body, 2000))
		return err
	})
}
