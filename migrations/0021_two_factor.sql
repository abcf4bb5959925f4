-- Two-factor sign-in (product.md F1, issue #15; docs/two-factor.md).
--
-- The TOTP secret is kept sealed (XChaCha20-Poly1305 with GG_SECRET_KEY): a dump of this table
-- does not let anyone compute codes. `last_used_step` makes a code single-use: a sign-in
-- compares-and-sets it, so two requests with the same code cannot both succeed.
CREATE TABLE two_factor (
    person_id      bigint PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    secret_sealed  bytea NOT NULL,
    last_used_step bigint NOT NULL CHECK (last_used_step >= 0),
    enabled_at     timestamptz NOT NULL DEFAULT now()
);

-- A secret shown as a QR code but not yet confirmed with a code; it becomes `two_factor` only
-- when the person proves their app holds it. Expires after 15 minutes (checked on use).
CREATE TABLE two_factor_pending (
    person_id     bigint PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    secret_sealed bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Ten single-use recovery codes per person, stored as SHA-256 only (see the domain for why
-- not a slow hash). Using one is a single UPDATE … WHERE used_at IS NULL.
CREATE TABLE recovery_code (
    person_id bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz,
    PRIMARY KEY (person_id, code_hash)
);

-- A session that passed the password but not yet the second step: 'code' waits for the code,
-- 'enrol' for enrolment. NULL is a full session. Such a session opens no page but that step.
ALTER TABLE session ADD COLUMN pending_step text CHECK (pending_step IN ('code', 'enrol'));

-- Sessions begun before this version by people whose role requires a second factor by default
-- (beheerder, controller) end now: they sign in again and are sent to enrolment. A hospital that
-- chose the roles already (the setting exists) keeps its choice.
DELETE FROM session s
WHERE NOT EXISTS (SELECT 1 FROM setting WHERE key = 'two_factor_roles')
  AND EXISTS (SELECT 1 FROM person_role r
              WHERE r.person_id = s.person_id AND r.role IN ('beheerder', 'controller'));
