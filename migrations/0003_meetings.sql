-- Meetings (product.md A1–A7): the joint agenda, decisions per body, votes, attendance, minutes,
-- attachments, and the agreements table in its final shape (actions are agreements of kind
-- `actie`; the agreements register extends this table).

-- Voting rules per body (A4).
ALTER TABLE body
    ADD COLUMN quorum_percent smallint NOT NULL DEFAULT 50 CHECK (quorum_percent BETWEEN 1 AND 100),
    ADD COLUMN majority text NOT NULL DEFAULT 'gewoon' CHECK (majority IN ('gewoon', 'twee_derde', 'unaniem'));

CREATE TABLE meeting (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title            text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('gezamenlijk', 'gremium', 'alv')),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    location         text NOT NULL DEFAULT '',
    video_url        text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'concept'
                     CHECK (status IN ('concept', 'gepubliceerd', 'in_vergadering', 'gesloten', 'notulen_vastgesteld')),
    series_id        bigint,
    -- The meeting in which this meeting's minutes were adopted (A6).
    minutes_adopted_in bigint REFERENCES meeting (id),
    current_item_id  bigint,
    current_item_started_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meeting_starts ON meeting (starts_at);
CREATE SEQUENCE meeting_series_seq;

CREATE TABLE meeting_body (
    meeting_id bigint NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    body_id    bigint NOT NULL REFERENCES body (id),
    PRIMARY KEY (meeting_id, body_id)
);

CREATE TABLE agenda_item (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id      bigint NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    parent_id       bigint REFERENCES agenda_item (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    title           text NOT NULL,
    description     text NOT NULL DEFAULT '',
    presenter       text NOT NULL DEFAULT '',
    planned_minutes integer NOT NULL DEFAULT 10 CHECK (planned_minutes BETWEEN 0 AND 600),
    purpose         text NOT NULL DEFAULT 'bespreking' CHECK (purpose IN ('informatie', 'bespreking', 'besluitvorming', 'advies')),
    subject         text NOT NULL DEFAULT 'algemeen' CHECK (subject IN ('algemeen', 'financieel_vrijgevestigd', 'arbeidsvoorwaarden_dienstverband')),
    -- NULL: gezamenlijk; otherwise only this body's members see the item, everywhere.
    visibility_body_id bigint REFERENCES body (id),
    standing        text CHECK (standing IN ('opening', 'notulen', 'afspraken', 'rondvraag')),
    links           text NOT NULL DEFAULT '',
    minutes         text NOT NULL DEFAULT '',
    done            boolean NOT NULL DEFAULT false,
    carried_from_id bigint REFERENCES agenda_item (id) ON DELETE SET NULL,
    follow_up_of_id bigint REFERENCES agenda_item (id) ON DELETE SET NULL,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX agenda_item_meeting ON agenda_item (meeting_id, position);
ALTER TABLE meeting ADD CONSTRAINT meeting_current_item FOREIGN KEY (current_item_id) REFERENCES agenda_item (id) ON DELETE SET NULL;

-- The bodies that decide on an item (none, one or several).
CREATE TABLE agenda_item_body (
    item_id bigint NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    body_id bigint NOT NULL REFERENCES body (id),
    PRIMARY KEY (item_id, body_id)
);

CREATE TABLE attachment (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id      bigint NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 26214400),
    sha256       text NOT NULL,
    data         bytea NOT NULL,
    uploaded_by  bigint REFERENCES person (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachment_item ON attachment (item_id);

-- One decision per deciding body per item (A3).
CREATE TABLE decision (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id      bigint NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    body_id      bigint NOT NULL REFERENCES body (id),
    outcome      text NOT NULL CHECK (outcome IN ('aangenomen', 'verworpen', 'aangehouden', 'gewijzigd_aangenomen')),
    text         text NOT NULL,
    -- Votes by count when not named.
    votes_for     integer CHECK (votes_for >= 0),
    votes_against integer CHECK (votes_against >= 0),
    votes_abstain integer CHECK (votes_abstain >= 0),
    vote_summary  text NOT NULL DEFAULT '',
    recorded_by  bigint REFERENCES person (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    UNIQUE (item_id, body_id)
);

-- Named votes.
CREATE TABLE vote (
    decision_id bigint NOT NULL REFERENCES decision (id) ON DELETE CASCADE,
    person_id   bigint NOT NULL REFERENCES person (id),
    choice      text NOT NULL CHECK (choice IN ('voor', 'tegen', 'onthouding')),
    PRIMARY KEY (decision_id, person_id)
);

CREATE TABLE attendance (
    meeting_id bigint NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    person_id  bigint NOT NULL REFERENCES person (id),
    present    boolean NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- Agreements (B1). Actions from meetings are agreements of kind `actie`.
CREATE TABLE agreement (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('strategische_keuze', 'protocol', 'financieel', 'personeel', 'monitoring', 'actie')),
    title              text NOT NULL,
    description        text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'vastgesteld'
                       CHECK (status IN ('voorgesteld', 'vastgesteld', 'in_uitvoering', 'gerealiseerd', 'niet_nagekomen', 'vervallen')),
    owner_id           bigint REFERENCES person (id),
    start_date         date,
    due_date           date,
    review_months      smallint,
    visibility_body_id bigint REFERENCES body (id),
    origin_meeting_id  bigint REFERENCES meeting (id),
    origin_item_id     bigint REFERENCES agenda_item (id) ON DELETE SET NULL,
    origin_decision_id bigint REFERENCES decision (id) ON DELETE SET NULL,
    -- Set when the minutes of the originating meeting are adopted; later changes are addenda.
    frozen_at          timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1
);
CREATE INDEX agreement_meeting ON agreement (origin_meeting_id);
CREATE INDEX agreement_owner ON agreement (owner_id);
CREATE INDEX agreement_due ON agreement (due_date) WHERE status IN ('vastgesteld', 'in_uitvoering');

CREATE TABLE agreement_addendum (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    text         text NOT NULL,
    author_id    bigint REFERENCES person (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Per-person calendar feed tokens (A1); only the hash is kept.
CREATE TABLE calendar_token (
    person_id  bigint PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
