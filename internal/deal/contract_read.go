package deal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// DealContracts lists a deal's contracts, oldest first. Forbidden without
// deal.read; NotFound for a deal the actor does not see.
func (c *Contracts) DealContracts(ctx context.Context, actor realty.Actor, dealID realty.ID) ([]Contract, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	var out []Contract
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+contractColumns+` FROM deal.contracts WHERE organization_id = $1 AND deal_id = $2
			ORDER BY created_at, id`, actor.OrgID, dealID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Contract])
		return err
	})
	return out, err
}

// Contract returns a contract with its versions, amendments, signers and
// audit trail. Forbidden without deal.read; NotFound for a contract of a
// deal the actor does not see.
func (c *Contracts) Contract(ctx context.Context, actor realty.Actor, id realty.ID) (ContractDetail, error) {
	if err := actor.Require("deal.read"); err != nil {
		return ContractDetail{}, err
	}
	var out ContractDetail
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		var err error
		if out.Contract, err = contractTx(ctx, tx, actor, id, false); err != nil {
			return err
		}
		if out.Versions, err = contractRowsTx[ContractVersion](ctx, tx, actor, versionColumns, "deal.contract_versions", id, "number"); err != nil {
			return err
		}
		if out.Amendments, err = contractRowsTx[ContractAmendment](ctx, tx, actor, amendmentColumns, "deal.contract_amendments", id, "version_number, id"); err != nil {
			return err
		}
		if out.Signers, err = contractRowsTx[ContractSigner](ctx, tx, actor, signerColumns, "deal.contract_signers", id, "position"); err != nil {
			return err
		}
		out.Events, err = contractRowsTx[ContractEvent](ctx, tx, actor, eventColumns, "deal.contract_events", id, "created_at, id")
		return err
	})
	return out, err
}

// contractRowsTx reads the rows of one of a contract's tables (names come
// from this file only, never from input).
func contractRowsTx[T any](ctx context.Context, tx pgx.Tx, actor realty.Actor, columns, table string, id realty.ID, order string) ([]T, error) {
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM `+table+` WHERE organization_id = $1 AND contract_id = $2 ORDER BY `+order, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[T])
}

// contractTx reads a contract whose deal the actor sees, locking it when
// lock is set. NotFound otherwise.
func contractTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, lock bool) (Contract, error) {
	q := `SELECT ` + contractColumns + ` FROM deal.contracts WHERE organization_id = $1 AND id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, id)
	if err != nil {
		return Contract{}, err
	}
	k, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contract])
	if err != nil {
		return Contract{}, notFound(err, "contract")
	}
	if _, err := GetTx(ctx, tx, actor, k.DealID, false); realty.KindOf(err) == realty.NotFound {
		return Contract{}, &realty.Error{Kind: realty.NotFound, Message: "contract not found"}
	} else if err != nil {
		return Contract{}, err
	}
	return k, nil
}

// versionTx reads version number of a contract.
func versionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, contractID realty.ID, number int) (ContractVersion, error) {
	rows, err := tx.Query(ctx, `SELECT `+versionColumns+` FROM deal.contract_versions WHERE organization_id = $1 AND contract_id = $2 AND number = $3`,
		actor.OrgID, contractID, number)
	if err != nil {
		return ContractVersion{}, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractVersion])
	return v, notFound(err, "contract version")
}

// contractEvent is one row of the audit trail to write.
type contractEvent struct {
	ContractID realty.ID
	SignerID   *realty.ID
	Event      string
	Reason     string
	SHA256     string
	IP         netip.Addr
	UserAgent  string
}

func contractEventTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e contractEvent) error {
	var ip *netip.Addr
	if e.IP.IsValid() {
		a := e.IP.Unmap()
		ip = &a
	}
	_, err := tx.Exec(ctx, `INSERT INTO deal.contract_events (organization_id, id, contract_id, signer_id, event, reason, sha256, ip, user_agent, member_id)
		VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), $8, NULLIF($9, ''), $10)`, actor.OrgID, realty.NewID(), e.ContractID, e.SignerID,
		e.Event, contractClip(e.Reason, 1000), e.SHA256, ip, contractClip(e.UserAgent, 500), memberOrNil(actor))
	return err
}

// contractClip cuts s to at most n runes.
func contractClip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func contractSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
