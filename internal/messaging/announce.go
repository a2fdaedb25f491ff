package messaging

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// NotifyMember is NotifyTx for a domain that knows the member, the kind and
// the data only (crm.Announcer): same errors, nothing returned.
func (s *Service) NotifyMember(ctx context.Context, tx pgx.Tx, actor realty.Actor, member realty.ID, kind string, data map[string]any) error {
	_, err := s.NotifyTx(ctx, tx, actor, Notice{Recipient: member, Kind: kind, Payload: data})
	return err
}

// Emit is EmitTx without the deliveries it queued (crm.Announcer): same
// errors.
func (s *Service) Emit(ctx context.Context, tx pgx.Tx, actor realty.Actor, event, key string, data map[string]any) error {
	_, err := s.EmitTx(ctx, tx, actor, event, key, data)
	return err
}

// EmailClient queues an e-mail to someone who is no member (a client), as
// EnqueueTx does (crm.Announcer): same errors.
func (s *Service) EmailClient(ctx context.Context, tx pgx.Tx, actor realty.Actor, to, kind, key string, data map[string]any) (realty.ID, error) {
	return s.EnqueueTx(ctx, tx, actor, Email{To: to, Kind: kind, Key: key, Data: data})
}
