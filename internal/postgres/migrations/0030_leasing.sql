-- Tenants and leases. A lease rents one unit to one or more tenants (one of
-- them primary); two active leases of one unit never overlap in time (an
-- exclusion constraint over closed date ranges). Activating and ending a
-- lease set the unit's status through the property domain, in the same
-- transaction (see docs/leasing.md). Residents linked to a tenant see only
-- their own tenancy: a restrictive policy on every table here compares
-- the row's tenant ids with app.current_tenant_id(), which a resident's
-- transactions set. The journal's lease and tenant dimensions get their
-- foreign keys here.

-- +goose Up
-- The tenant a resident's transaction is fenced to (SET LOCAL
-- app.tenant_id), NULL for everyone else. A resident with no tenant gets
-- the nil uuid, which matches no row.
CREATE FUNCTION app.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN current_setting('app.tenant_id', true) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        THEN current_setting('app.tenant_id', true)::uuid
    END;

CREATE TABLE leasing.tenants (
    organization_id     uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                  uuid           NOT NULL DEFAULT app.uuid_v7(),
    kind                text           NOT NULL DEFAULT 'person' CONSTRAINT tenants_kind_check CHECK (kind IN ('person', 'company')),
    first_name          text           CONSTRAINT tenants_first_name_check CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name           text           CONSTRAINT tenants_last_name_check CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    company_name        text           CONSTRAINT tenants_company_name_check CHECK (length(btrim(company_name)) BETWEEN 1 AND 200),
    email               text           CONSTRAINT tenants_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    phone               text           CONSTRAINT tenants_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    member_id           uuid,
    status              text           NOT NULL DEFAULT 'prospect' CONSTRAINT tenants_status_check
                                       CHECK (status IN ('prospect', 'applicant', 'approved', 'active', 'notice_given', 'moved_out')),
    emergency_contacts  jsonb          NOT NULL DEFAULT '[]' CONSTRAINT tenants_emergency_contacts_check
                                       CHECK (jsonb_typeof(emergency_contacts) = 'array' AND jsonb_array_length(emergency_contacts) <= 5),
    notes               text           CONSTRAINT tenants_notes_check CHECK (length(notes) <= 4000),
    -- Screening: personal data shown only with tenant.screening and kept
    -- out of the audit trail.
    date_of_birth       date,
    government_id_last4 text           CONSTRAINT tenants_government_id_last4_check CHECK (government_id_last4 ~ '^[0-9A-Za-z]{4}$'),
    annual_income       numeric(14, 2) CONSTRAINT tenants_annual_income_check CHECK (annual_income >= 0),
    screening_result    text           CONSTRAINT tenants_screening_result_check
                                       CHECK (screening_result IN ('pending', 'passed', 'conditional', 'failed')),
    screening_date      date,
    screening_notes     text           CONSTRAINT tenants_screening_notes_check CHECK (length(screening_notes) <= 4000),
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT tenants_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (member_id),
    CONSTRAINT tenants_name_check CHECK (CASE kind WHEN 'person' THEN first_name IS NOT NULL AND last_name IS NOT NULL
                                                   ELSE company_name IS NOT NULL END)
);
CREATE UNIQUE INDEX tenants_member_key ON leasing.tenants (organization_id, member_id) WHERE member_id IS NOT NULL;
CREATE INDEX tenants_status_idx ON leasing.tenants (organization_id, status, id);
SELECT app.apply_org_kit('leasing.tenants', '{date_of_birth,government_id_last4,annual_income,screening_result,screening_date,screening_notes}');
CREATE POLICY resident_fence ON leasing.tenants AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR id = app.current_tenant_id());

CREATE TABLE leasing.leases (
    organization_id     uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                  uuid           NOT NULL DEFAULT app.uuid_v7(),
    property_id         uuid           NOT NULL,
    unit_id             uuid           NOT NULL,
    -- The lease's tenants, kept equal to lease_tenants by the service, so
    -- the resident policy needs no subquery.
    tenant_ids          uuid[]         NOT NULL DEFAULT '{}',
    lease_type          text           NOT NULL DEFAULT 'fixed' CONSTRAINT leases_type_check CHECK (lease_type IN ('fixed', 'month_to_month')),
    start_date          date           NOT NULL,
    end_date            date,
    rent                numeric(14, 2) NOT NULL CONSTRAINT leases_rent_check CHECK (rent >= 0),
    rent_due_day        smallint       NOT NULL DEFAULT 1 CONSTRAINT leases_rent_due_day_check CHECK (rent_due_day BETWEEN 1 AND 31),
    deposit             numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT leases_deposit_check CHECK (deposit >= 0),
    late_fee_kind       text           NOT NULL DEFAULT 'none' CONSTRAINT leases_late_fee_kind_check CHECK (late_fee_kind IN ('none', 'flat', 'percent')),
    late_fee_amount     numeric(14, 2) CONSTRAINT leases_late_fee_amount_check CHECK (late_fee_amount >= 0),
    late_fee_percent    numeric(5, 2)  CONSTRAINT leases_late_fee_percent_check CHECK (late_fee_percent BETWEEN 0 AND 100),
    late_fee_grace_days smallint       NOT NULL DEFAULT 5 CONSTRAINT leases_late_fee_grace_days_check CHECK (late_fee_grace_days BETWEEN 0 AND 60),
    late_fee_cap        numeric(14, 2) CONSTRAINT leases_late_fee_cap_check CHECK (late_fee_cap >= 0),
    auto_renew          boolean        NOT NULL DEFAULT false,
    notice_days         smallint       NOT NULL DEFAULT 60 CONSTRAINT leases_notice_days_check CHECK (notice_days BETWEEN 0 AND 365),
    increase_pct        numeric(5, 2)  NOT NULL DEFAULT 0 CONSTRAINT leases_increase_pct_check CHECK (increase_pct BETWEEN -100 AND 100),
    status              text           NOT NULL DEFAULT 'draft' CONSTRAINT leases_status_check
                                       CHECK (status IN ('draft', 'active', 'expired', 'terminated', 'renewed')),
    move_in_date        date,
    move_out_date       date,
    terminated_on       date,
    termination_reason  text           CONSTRAINT leases_termination_reason_check CHECK (length(termination_reason) <= 500),
    renewal_of          uuid,
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT leases_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT leases_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT leases_renewal_of_fkey FOREIGN KEY (organization_id, renewal_of) REFERENCES leasing.leases (organization_id, id),
    CONSTRAINT leases_renewal_of_key UNIQUE (organization_id, renewal_of),
    CONSTRAINT leases_dates_check CHECK (end_date IS NULL OR end_date >= start_date),
    CONSTRAINT leases_fixed_end_check CHECK (lease_type <> 'fixed' OR end_date IS NOT NULL),
    CONSTRAINT leases_late_fee_check CHECK (late_fee_kind = 'none'
        OR (late_fee_kind = 'flat' AND late_fee_amount IS NOT NULL) OR (late_fee_kind = 'percent' AND late_fee_percent IS NOT NULL)),
    CONSTRAINT leases_terminated_check CHECK (status <> 'terminated' OR terminated_on IS NOT NULL),
    CONSTRAINT leases_no_overlap EXCLUDE USING gist (
        organization_id WITH =, unit_id WITH =, daterange(start_date, coalesce(end_date, 'infinity'), '[]') WITH &&)
        WHERE (status = 'active')
);
CREATE INDEX leases_unit_idx ON leasing.leases (organization_id, unit_id, start_date DESC, id);
CREATE INDEX leases_property_idx ON leasing.leases (organization_id, property_id, status, id);
CREATE INDEX leases_status_idx ON leasing.leases (organization_id, status, end_date) WHERE status = 'active';
CREATE INDEX leases_tenants_idx ON leasing.leases USING gin (tenant_ids);
SELECT app.apply_org_kit('leasing.leases');
CREATE POLICY resident_fence ON leasing.leases AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR app.current_tenant_id() = ANY (tenant_ids));

CREATE TABLE leasing.lease_tenants (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    lease_id        uuid        NOT NULL,
    tenant_id       uuid        NOT NULL,
    is_primary      boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT lease_tenants_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT lease_tenants_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    CONSTRAINT lease_tenants_key UNIQUE (organization_id, lease_id, tenant_id)
);
CREATE UNIQUE INDEX lease_tenants_primary_key ON leasing.lease_tenants (organization_id, lease_id) WHERE is_primary;
CREATE INDEX lease_tenants_tenant_idx ON leasing.lease_tenants (organization_id, tenant_id);
SELECT app.apply_org_kit('leasing.lease_tenants');
CREATE POLICY resident_fence ON leasing.lease_tenants AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

CREATE TABLE leasing.lease_charges (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    lease_id        uuid           NOT NULL,
    tenant_ids      uuid[]         NOT NULL DEFAULT '{}',
    kind            text           NOT NULL CONSTRAINT lease_charges_kind_check CHECK (kind IN ('parking', 'pet', 'utility', 'other')),
    description     text           CONSTRAINT lease_charges_description_check CHECK (length(description) <= 200),
    amount          numeric(14, 2) NOT NULL CONSTRAINT lease_charges_amount_check CHECK (amount > 0),
    account_id      uuid           NOT NULL,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT lease_charges_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT lease_charges_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id)
);
CREATE INDEX lease_charges_lease_idx ON leasing.lease_charges (organization_id, lease_id);
CREATE INDEX lease_charges_account_idx ON leasing.lease_charges (organization_id, account_id);
SELECT app.apply_org_kit('leasing.lease_charges');
CREATE POLICY resident_fence ON leasing.lease_charges AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR app.current_tenant_id() = ANY (tenant_ids));

ALTER TABLE ledger.journal_lines
    ADD CONSTRAINT journal_lines_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id),
    ADD CONSTRAINT journal_lines_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id);

-- +goose Down
ALTER TABLE ledger.journal_lines DROP CONSTRAINT journal_lines_tenant_fkey, DROP CONSTRAINT journal_lines_lease_fkey;
DROP TABLE leasing.lease_charges;
DROP TABLE leasing.lease_tenants;
DROP TABLE leasing.leases;
DROP TABLE leasing.tenants;
DROP FUNCTION app.current_tenant_id();
