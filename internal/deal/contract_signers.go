package deal

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// maxSigners is the most signers a contract has.
const maxSigners = 20

// errSignersFixed refuses a change of the signers of a contract that is
// no longer a draft or sent.
func errSignersFixed(status string) error {
	return &realty.Error{Kind: realty.Conflict, Message: "the contract is " + status + ": its signers change only while it is a draft or sent",
		Fields: map[string]string{"status": "is " + status}}
}

// AddSigner adds a signer to a contract that is a draft or sent, after
// those it has. A sent contract sends the new signer their link at once, as
// Send does (the link is returned, for the caller's tests and logs). The
// audit trail records signer_added. Errors: Forbidden without deal.write;
// NotFound for a contract the actor may not see; Invalid naming name,
// email or role, or signers when the contract has 20; Conflict when the
// contract is signed, executed or void, or the address already signs it.
func (c *Contracts) AddSigner(ctx context.Context, actor realty.Actor, contractID realty.ID, in SignerInput) (ContractDetail, []SignLink, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, nil, err
	}
	if err := checkSigner(in, ""); err != nil {
		return ContractDetail{}, nil, err
	}
	var links []SignLink
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		k, signers, err := signersForChangeTx(ctx, tx, actor, contractID)
		if err != nil {
			return err
		}
		if len(signers) >= maxSigners {
			return realty.FieldError("signers", "a contract has at most 20 signers")
		}
		pos := 1
		for _, s := range signers {
			pos = max(pos, s.Position+1)
		}
		required := in.Required == nil || *in.Required
		var s ContractSigner
		rows, err := tx.Query(ctx, `INSERT INTO deal.contract_signers (organization_id, id, contract_id, position, name, email, role, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+signerColumns, actor.OrgID, realty.NewID(), k.ID, pos,
			strings.TrimSpace(in.Name), strings.ToLower(in.Email), in.Role, required)
		if err != nil {
			return err
		}
		if s, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractSigner]); err != nil {
			return err
		}
		if err := contractEventTx(ctx, tx, actor, contractEvent{ContractID: k.ID, SignerID: &s.ID, Event: "signer_added",
			Reason: signerLabel(s)}); err != nil {
			return err
		}
		if k.Status != ContractSent {
			return nil
		}
		l, err := c.sendOneTx(ctx, tx, actor, k, s, c.now())
		links = append(links, l)
		if err != nil {
			return err
		}
		return contractEventTx(ctx, tx, actor, contractEvent{ContractID: k.ID, SignerID: &s.ID, Event: "sent", Reason: s.Email})
	})
	if err != nil {
		return ContractDetail{}, nil, err
	}
	out, err := c.Contract(ctx, actor, contractID)
	return out, links, err
}

// RemoveSigner removes a signer who has not signed from a contract that is
// a draft or sent; their link stops working. The audit trail keeps their
// earlier events (no longer tied to the signer row) and records
// signer_removed naming them. When the contract was sent and every
// remaining required signer has signed, removing the last one who had not
// executes the contract, through the same checks as a signature (every
// signature on the current version, whose stored document still matches
// its SHA-256). It returns the contract. Errors: Forbidden without
// deal.write; NotFound for a signer not of the organization or of a
// contract the actor may not see; Conflict when the
// contract is signed, executed or void, the signer has signed, or the
// evidence does not hold; Invalid naming signers when they are the last
// required signer.
func (c *Contracts) RemoveSigner(ctx context.Context, actor realty.Actor, signerID realty.ID) (ContractDetail, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, err
	}
	var contractID realty.ID
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT contract_id FROM deal.contract_signers WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, signerID).Scan(&contractID)
		if err != nil {
			return notFound(err, "signer")
		}
		k, signers, err := signersForChangeTx(ctx, tx, actor, contractID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(signers, func(s ContractSigner) bool { return s.ID == signerID })
		if i < 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "signer not found"}
		}
		s := signers[i]
		if s.Status == SignerSigned {
			return &realty.Error{Kind: realty.Conflict, Message: s.Name + " has signed: a signer who signed is not removed (void the contract instead)",
				Fields: map[string]string{"signer_id": "has signed"}}
		}
		rest := slices.Delete(slices.Clone(signers), i, i+1)
		if !slices.ContainsFunc(rest, func(r ContractSigner) bool { return r.Required }) {
			return realty.FieldError("signers", "a contract keeps at least one required signer")
		}
		if err := removeSignerTx(ctx, tx, actor, k.ID, s); err != nil {
			return err
		}
		if k.Status != ContractSent || !slices.ContainsFunc(rest, func(r ContractSigner) bool { return r.Status == SignerSigned }) {
			return nil
		}
		_, err = c.executeIfCompleteTx(ctx, tx, actor, k)
		return err
	})
	if err != nil {
		return ContractDetail{}, err
	}
	return c.Contract(ctx, actor, contractID)
}

// removeSignerTx deletes signer s of contract id, detaching their events
// from the row first so the trail keeps them, and records signer_removed.
func removeSignerTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, s ContractSigner) error {
	if _, err := tx.Exec(ctx, `UPDATE deal.contract_events SET signer_id = NULL WHERE organization_id = $1 AND contract_id = $2
		AND signer_id = $3`, actor.OrgID, id, s.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM deal.contract_signers WHERE organization_id = $1 AND contract_id = $2 AND id = $3`,
		actor.OrgID, id, s.ID); err != nil {
		return err
	}
	return contractEventTx(ctx, tx, actor, contractEvent{ContractID: id, Event: "signer_removed", Reason: signerLabel(s)})
}

// signersForChangeTx reads a contract FOR UPDATE with its signers and
// refuses one whose signers no longer change.
func signersForChangeTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Contract, []ContractSigner, error) {
	k, err := contractTx(ctx, tx, actor, id, true)
	if err != nil {
		return Contract{}, nil, err
	}
	if k.Status != ContractDraft && k.Status != ContractSent {
		return Contract{}, nil, errSignersFixed(k.Status)
	}
	signers, err := contractRowsTx[ContractSigner](ctx, tx, actor, signerColumns, "deal.contract_signers", id, "position")
	return k, signers, err
}

// signerLabel is a signer as the audit trail names them.
func signerLabel(s ContractSigner) string {
	return s.Name + " <" + s.Email + "> (" + strings.ReplaceAll(s.Role, "_", " ") + ")"
}
