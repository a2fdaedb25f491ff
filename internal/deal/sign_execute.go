package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// errSignaturesStale refuses to execute a contract whose signatures are not
// all on its current, intact version.
var errSignaturesStale = realty.Errorf(realty.Conflict,
	"a signature does not match the contract's current document (its SHA-256 differs): the contract cannot be executed")

// executeIfCompleteTx executes contract k when every required signer has
// signed: it checks every signature was given on the current version and
// that version's stored document still hashes to its SHA-256, renders the
// executed version (the same text followed by the signing certificate
// page), makes it current and marks the contract executed. It reports
// whether it executed. Conflict (errSignaturesStale, errTampered) when the
// evidence does not hold.
func (c *Contracts) executeIfCompleteTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, k Contract) (bool, error) {
	signers, err := contractRowsTx[ContractSigner](ctx, tx, actor, signerColumns, "deal.contract_signers", k.ID, "position")
	if err != nil {
		return false, err
	}
	for _, s := range signers {
		if s.Required && s.Status != SignerSigned {
			return false, nil
		}
	}
	signed, err := versionTx(ctx, tx, actor, k.ID, k.CurrentVersion)
	if err != nil {
		return false, err
	}
	if _, err := c.versionBytes(ctx, signed); err != nil {
		return false, err
	}
	for _, s := range signers {
		if s.Status == SignerSigned && (s.SignedSHA256 == nil || *s.SignedSHA256 != signed.SHA256 ||
			s.SignedVersion == nil || *s.SignedVersion != signed.Number) {
			return false, errSignaturesStale
		}
	}
	now := c.now()
	doc := contractDoc{ContractID: k.ID, Title: k.Title, Body: signed.Body, Version: signed.Number + 1, At: now,
		Certificate: &contractCertificate{SignedVersion: signed.Number, SignedSHA256: signed.SHA256, ExecutedAt: now, Signers: signers}}
	exec, err := c.storeVersionTx(ctx, tx, actor, doc, "executed")
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE deal.contracts SET status = 'executed', executed_at = $3, current_version = $4, updated_at = now()
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, k.ID, now, exec.Number); err != nil {
		return false, err
	}
	return true, contractEventTx(ctx, tx, actor, contractEvent{ContractID: k.ID, Event: "executed", SHA256: exec.SHA256,
		Reason: "all required signers signed the version with this SHA-256: " + signed.SHA256})
}
