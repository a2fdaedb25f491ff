package deal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// contractMaxPDF bounds one rendered version.
const contractMaxPDF = 32 << 20

// CreateContract draws a contract for a deal from a template: it merges the
// deal's values into the template's body, renders version 1 as a PDF, and
// records the signers; the contract starts as a draft. Forbidden without
// deal.write; NotFound for a deal the actor does not see; Invalid naming
// template_id, title or a signer's field.
func (c *Contracts) CreateContract(ctx context.Context, actor realty.Actor, dealID realty.ID, in ContractInput) (ContractDetail, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, err
	}
	if err := checkSigners(in.Signers); err != nil {
		return ContractDetail{}, err
	}
	var id realty.ID
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		d, err := GetTx(ctx, tx, actor, dealID, true)
		if err != nil {
			return err
		}
		tpl, err := templateTx(ctx, tx, actor, in.TemplateID)
		if realty.KindOf(err) == realty.NotFound {
			return realty.FieldError("template_id", "no such template")
		} else if err != nil {
			return err
		}
		values, err := c.contractValues(ctx, tx, actor, d)
		if err != nil {
			return err
		}
		title := cmpOrString(strings.TrimSpace(in.Title), tpl.Name)
		id = realty.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO deal.contracts (organization_id, id, deal_id, template_id, title, current_version, created_by)
			VALUES ($1, $2, $3, $4, $5, 1, $6)`, actor.OrgID, id, d.ID, tpl.ID, title, memberOrNil(actor)); err != nil {
			return err
		}
		doc := contractDoc{ContractID: id, Title: title, Body: mergeContract(tpl.Body, values), Version: 1, At: c.now()}
		if _, err := c.storeVersionTx(ctx, tx, actor, doc, "original"); err != nil {
			return err
		}
		if err := insertSignersTx(ctx, tx, actor, id, in.Signers); err != nil {
			return err
		}
		return contractEventTx(ctx, tx, actor, contractEvent{ContractID: id, Event: "created"})
	})
	if err != nil {
		return ContractDetail{}, err
	}
	return c.Contract(ctx, actor, id)
}

// checkSigners refuses a contract without a required signer and a signer
// without a name, address or role, naming the field.
func checkSigners(in []SignerInput) error {
	required := false
	for i, s := range in {
		if err := checkSigner(s, fmt.Sprintf("signers[%d].", i)); err != nil {
			return err
		}
		required = required || s.Required == nil || *s.Required
	}
	if !required {
		return realty.FieldError("signers", "name at least one required signer")
	}
	return nil
}

// checkSigner refuses a signer without a name, address or role, naming the
// field after prefix.
func checkSigner(s SignerInput, prefix string) error {
	switch {
	case strings.TrimSpace(s.Name) == "":
		return realty.FieldError(prefix+"name", "is required")
	case !contractEmailOK(s.Email):
		return realty.FieldError(prefix+"email", "must be an e-mail address")
	case !slices.Contains(SignerRoles, s.Role):
		return realty.FieldError(prefix+"role", "must be one of "+signerRoleList)
	}
	return nil
}

func contractEmailOK(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

func insertSignersTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, contractID realty.ID, in []SignerInput) error {
	for i, s := range in {
		required := s.Required == nil || *s.Required
		if _, err := tx.Exec(ctx, `INSERT INTO deal.contract_signers (organization_id, id, contract_id, position, name, email, role, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, actor.OrgID, realty.NewID(), contractID, i+1, strings.TrimSpace(s.Name),
			strings.ToLower(s.Email), s.Role, required); err != nil {
			return err
		}
	}
	return nil
}

// storeVersionTx renders doc, stores the PDF and records it as the
// contract's version doc.Version of kind.
func (c *Contracts) storeVersionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, doc contractDoc, kind string) (ContractVersion, error) {
	pdf, err := renderContractPDF(doc)
	if err != nil {
		return ContractVersion{}, err
	}
	obj, err := c.blobs.Put(ctx, bytes.NewReader(pdf), contractMaxPDF)
	if err != nil {
		return ContractVersion{}, fmt.Errorf("store contract version: %w", err)
	}
	rows, err := tx.Query(ctx, `INSERT INTO deal.contract_versions (organization_id, id, contract_id, number, kind, body, blob_key, sha256, size, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) RETURNING `+versionColumns,
		actor.OrgID, realty.NewID(), doc.ContractID, doc.Version, kind, doc.Body, obj.Key, obj.Size, memberOrNil(actor))
	if err != nil {
		return ContractVersion{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractVersion])
}

// Amend adds an amendment: a new version of the contract with the
// amendment's text appended. Every signer signs the amended version again,
// so the contract returns to draft (its open links stop working) and must
// be sent again. Forbidden without deal.write; NotFound; Conflict for a
// void contract; Invalid naming the field.
func (c *Contracts) Amend(ctx context.Context, actor realty.Actor, id realty.ID, in AmendmentInput) (ContractDetail, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, err
	}
	if in.EffectiveDate.IsZero() {
		return ContractDetail{}, realty.FieldError("effective_date", "is required")
	}
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		k, err := contractTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if k.Status == ContractVoid {
			return realty.Errorf(realty.Conflict, "the contract is void and is amended no more")
		}
		cur, err := versionTx(ctx, tx, actor, id, k.CurrentVersion)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM deal.contract_amendments WHERE organization_id = $1 AND contract_id = $2`,
			actor.OrgID, id).Scan(&n); err != nil {
			return err
		}
		body := fmt.Sprintf("%s\n\nAMENDMENT %d, effective %s\nWhat changes: %s\n\n%s", cur.Body, n+1, in.EffectiveDate,
			strings.TrimSpace(in.Description), strings.TrimSpace(in.Body))
		doc := contractDoc{ContractID: id, Title: k.Title, Body: body, Version: k.CurrentVersion + 1, At: c.now()}
		if _, err := c.storeVersionTx(ctx, tx, actor, doc, "amendment"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO deal.contract_amendments (organization_id, id, contract_id, description, body, effective_date,
			version_number, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, actor.OrgID, realty.NewID(), id, in.Description, in.Body,
			in.EffectiveDate, doc.Version, memberOrNil(actor)); err != nil {
			return err
		}
		return c.resetForVersionTx(ctx, tx, actor, id, doc.Version)
	})
	if err != nil {
		return ContractDetail{}, err
	}
	return c.Contract(ctx, actor, id)
}

// resetForVersionTx makes version the contract's current one, back in
// draft, with every signer to sign it afresh.
func (c *Contracts) resetForVersionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, version int) error {
	if _, err := tx.Exec(ctx, `UPDATE deal.contracts SET status = 'draft', current_version = $3, executed_at = NULL, sent_at = NULL,
		updated_at = now() WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, version); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE deal.contract_signers SET status = 'pending', token_hash = NULL, expires_at = NULL, sent_at = NULL,
		signed_at = NULL, ip = NULL, user_agent = NULL, typed_name = NULL, consent = false, signed_version = NULL, signed_sha256 = NULL,
		updated_at = now() WHERE organization_id = $1 AND contract_id = $2`, actor.OrgID, id); err != nil {
		return err
	}
	return contractEventTx(ctx, tx, actor, contractEvent{ContractID: id, Event: "amended", Reason: fmt.Sprintf("version %d", version)})
}

// Void ends a contract that is not executed: its links stop working.
// Forbidden without deal.write; NotFound; Conflict for an executed or void
// contract.
func (c *Contracts) Void(ctx context.Context, actor realty.Actor, id realty.ID, reason string) (ContractDetail, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, err
	}
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		k, err := contractTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if k.Status == ContractExecuted || k.Status == ContractVoid {
			return realty.Errorf(realty.Conflict, "the contract is %s and cannot be voided", k.Status)
		}
		var r *string
		if reason = strings.TrimSpace(reason); reason != "" {
			r = &reason
		}
		if _, err := tx.Exec(ctx, `UPDATE deal.contracts SET status = 'void', voided_at = $3, void_reason = $4, updated_at = now()
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, c.now(), r); err != nil {
			return err
		}
		return contractEventTx(ctx, tx, actor, contractEvent{ContractID: id, Event: "voided", Reason: reason})
	})
	if err != nil {
		return ContractDetail{}, err
	}
	return c.Contract(ctx, actor, id)
}

// VersionPDF opens the PDF of one version after checking it still hashes to
// its recorded SHA-256. Forbidden without deal.read; NotFound; Conflict when
// the stored document no longer matches its hash.
func (c *Contracts) VersionPDF(ctx context.Context, actor realty.Actor, versionID realty.ID) ([]byte, ContractVersion, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, ContractVersion{}, err
	}
	var v ContractVersion
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+versionColumns+` FROM deal.contract_versions WHERE organization_id = $1 AND id = $2`, actor.OrgID, versionID)
		if err != nil {
			return err
		}
		if v, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractVersion]); err != nil {
			return notFound(err, "contract version")
		}
		_, err = contractTx(ctx, tx, actor, v.ContractID, false)
		return err
	})
	if err != nil {
		return nil, ContractVersion{}, err
	}
	b, err := c.versionBytes(ctx, v)
	return b, v, err
}

// versionBytes reads a version's PDF and checks it against the recorded
// SHA-256: Conflict when the stored document or its record was changed.
func (c *Contracts) versionBytes(ctx context.Context, v ContractVersion) ([]byte, error) {
	r, _, err := c.blobs.Open(ctx, v.BlobKey)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, contractMaxPDF+1))
	if err != nil {
		return nil, fmt.Errorf("read contract version: %w", err)
	}
	if contractSHA(b) != v.SHA256 || v.BlobKey != v.SHA256 {
		return nil, errTampered
	}
	return b, nil
}

var errTampered = realty.Errorf(realty.Conflict, "the stored document no longer matches the SHA-256 recorded for it: it cannot be signed or executed")

func cmpOrString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
