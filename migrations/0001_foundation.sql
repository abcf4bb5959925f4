-- Foundation: people, bodies, roles, vakgroepen, sessions, login throttling, set-password links,
-- settings, and the append-only, hash-chained audit trail.

CREATE TABLE setting (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE person (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text,
    is_demo       boolean NOT NULL DEFAULT false,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CONSTRAINT person_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX person_email_key ON person (email);

CREATE TABLE person_role (
    person_id bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('bestuurder', 'secretaris', 'vakgroep', 'controller', 'beheerder', 'toehoorder')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE body (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('bestuur', 'msbplus', 'toezicht')),
    sort_order  integer NOT NULL DEFAULT 0,
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE membership (
    person_id       bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    body_id         bigint NOT NULL REFERENCES body (id) ON DELETE RESTRICT,
    position        text NOT NULL DEFAULT 'lid' CHECK (position IN ('voorzitter', 'lid', 'secretaris', 'adviseur')),
    employment_form text CHECK (employment_form IN ('vrijgevestigd', 'dienstverband')),
    PRIMARY KEY (person_id, body_id)
);
CREATE INDEX membership_body ON membership (body_id);

CREATE TABLE vakgroep (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('poortspecialisme', 'ondersteunend', 'acuut')),
    active     boolean NOT NULL DEFAULT true,
    version    integer NOT NULL DEFAULT 1
);

CREATE TABLE vakgroep_representative (
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, vakgroep_id)
);
CREATE INDEX vakgroep_representative_vakgroep ON vakgroep_representative (vakgroep_id);

-- Sessions are looked up by the SHA-256 of the cookie value, so a leaked table holds no usable ids.
CREATE TABLE session (
    id_hash      bytea PRIMARY KEY,
    person_id    bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ip           text
);
CREATE INDEX session_person ON session (person_id);

CREATE TABLE login_failure (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    email    text NOT NULL,
    ip       text NOT NULL
);
CREATE INDEX login_failure_email ON login_failure (email, at);
CREATE INDEX login_failure_ip ON login_failure (ip, at);

CREATE TABLE password_link (
    token_hash bytea PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);
CREATE INDEX password_link_person ON password_link (person_id);

-- The audit trail (product.md F3). Rows are only ever inserted; a trigger assigns the sequence
-- number and the hash chain under a lock, so concurrent transactions chain in commit order.
CREATE TABLE audit_log (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint,
    actor_label  text NOT NULL,
    object_type  text NOT NULL,
    object_id    text NOT NULL,
    action       text NOT NULL,
    before       jsonb,
    after        jsonb,
    prev_hash    text NOT NULL,
    hash         text NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN 'N;' ELSE octet_length(v)::text || ':' || v || ';' END
$$;

-- Must compute exactly what gg_domain::audit::row_hash computes.
CREATE FUNCTION audit_row_hash(r audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(
        audit_field(r.prev_hash)
        || audit_field(r.seq::text)
        || audit_field((extract(epoch FROM r.at) * 1000000)::bigint::text)
        || audit_field(r.actor_id::text)
        || audit_field(r.actor_label)
        || audit_field(r.object_type)
        || audit_field(r.object_id)
        || audit_field(r.action)
        || audit_field(r.before::text)
        || audit_field(r.after::text), 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last audit_log%ROWTYPE;
BEGIN
    -- One writer at a time extends the chain; the lock is held until the transaction ends.
    PERFORM pg_advisory_xact_lock(7264001);
    SELECT * INTO last FROM audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := COALESCE(last.seq, 0) + 1;
    NEW.prev_hash := COALESCE(last.hash, repeat('0', 64));
    -- Whole microseconds, so the value read back hashes the same.
    NEW.at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := audit_row_hash(NEW);
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
