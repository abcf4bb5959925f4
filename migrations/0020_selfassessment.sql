-- The 7S self-assessment (product.md C1–C5, docs/selfassessment.md): the editable statement
-- catalogue, rounds with their invited bodies and frozen statements, who handed in, and what was
-- answered. Tables start with `sa_` (self-assessment).
--
-- Anonymity (C3): sa_participation knows who handed in, sa_answer what was answered, and nothing
-- connects the two. sa_answer has no person, session or time column, no key that a sequence
-- fills (a sequence numbers rows in the order they arrive), no foreign key to people or to
-- sa_participation. The store rewrites the answers of the submitter's body in random order at
-- every submit, and all of the round's at closing, so that neither the physical order nor the
-- inserting transaction (xmin) of an answer points to one submission (see docs/selfassessment.md,
-- "Store").
--
-- The default catalogue (domain::selfassessment::DEFAULT_CATALOGUE) is not seeded here: the store
-- writes it on first use, from the one copy in the domain crate.

-- The catalogue (C1). A statement keeps its key and its S for life: the key names the S
-- (`structuur-4`) and is copied into every round, so that a statement can be followed across
-- rounds after its wording was polished. Statements are never deleted, only deactivated, so a
-- key is never given out twice.
CREATE TABLE sa_statement (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key       text NOT NULL,
    -- domain::agreements::kinds::SevenS
    s         text NOT NULL CHECK (s IN ('gedeelde_waarden', 'strategie', 'structuur', 'systemen',
                                         'personeel', 'vaardigheden', 'stijl')),
    text      text NOT NULL CHECK (text <> '' AND length(text) <= 400),
    source    text CHECK (source <> '' AND length(source) <= 200),
    active    boolean NOT NULL DEFAULT true,
    -- The order within its S, in the catalogue and in the rounds that use it.
    position  integer NOT NULL,
    version   integer NOT NULL DEFAULT 1,
    CONSTRAINT sa_statement_key UNIQUE (key),
    CONSTRAINT sa_statement_key_names_s CHECK (key ~ ('^' || replace(s, '_', '-') || '-[1-9][0-9]*$'))
);

-- Every version of every catalogue statement, the current one included: what a statement said
-- when. A round records the version it copied (sa_round_statement.catalogue_version).
CREATE TABLE sa_statement_version (
    statement_id bigint NOT NULL REFERENCES sa_statement (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    text         text NOT NULL,
    source       text,
    active       boolean NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (statement_id, version)
);

-- A round (C2): concept → open → gesloten (domain::selfassessment::RoundStatus).
CREATE TABLE sa_round (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title             text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    opens_on          date NOT NULL,
    closes_on         date NOT NULL,
    status            text NOT NULL DEFAULT 'concept' CHECK (status IN ('concept', 'open', 'gesloten')),
    -- The mean of the per-S alignment scores (sa_round_alignment), kept when the round closes;
    -- null before, and when no S had a score.
    overall_alignment numeric CHECK (overall_alignment BETWEEN 0 AND 100),
    version           integer NOT NULL DEFAULT 1,
    CONSTRAINT sa_round_dates CHECK (closes_on > opens_on),
    CONSTRAINT sa_round_alignment_when_closed CHECK (status = 'gesloten' OR overall_alignment IS NULL)
);
CREATE INDEX sa_round_status ON sa_round (status, closes_on);

-- The bodies invited to a round, in the order chosen. Name and kind are copied when the round is
-- saved and again when it opens, so that renaming a body or changing its kind later does not
-- change what an old round's results say. Observer bodies never answer.
CREATE TABLE sa_round_body (
    round_id  bigint NOT NULL REFERENCES sa_round (id) ON DELETE CASCADE,
    body_id   bigint NOT NULL REFERENCES body (id) ON DELETE RESTRICT,
    position  smallint NOT NULL,
    name      text NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('bestuur', 'msbplus')),
    PRIMARY KEY (round_id, body_id)
);
CREATE INDEX sa_round_body_body ON sa_round_body (body_id);

-- The catalogue statements chosen for a round while it is in concept.
CREATE TABLE sa_round_choice (
    round_id     bigint NOT NULL REFERENCES sa_round (id) ON DELETE CASCADE,
    statement_id bigint NOT NULL REFERENCES sa_statement (id) ON DELETE RESTRICT,
    PRIMARY KEY (round_id, statement_id)
);
CREATE INDEX sa_round_choice_statement ON sa_round_choice (statement_id);

-- The frozen copy of the chosen statements, made when the round opens: what people answered.
CREATE TABLE sa_round_statement (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id          bigint NOT NULL REFERENCES sa_round (id) ON DELETE RESTRICT,
    catalogue_id      bigint NOT NULL REFERENCES sa_statement (id) ON DELETE RESTRICT,
    catalogue_version integer NOT NULL,
    key               text NOT NULL,
    s                 text NOT NULL CHECK (s IN ('gedeelde_waarden', 'strategie', 'structuur', 'systemen',
                                                 'personeel', 'vaardigheden', 'stijl')),
    text              text NOT NULL,
    position          smallint NOT NULL,
    CONSTRAINT sa_round_statement_of_round UNIQUE (round_id, id),
    CONSTRAINT sa_round_statement_key UNIQUE (round_id, key),
    CONSTRAINT sa_round_statement_position UNIQUE (round_id, position)
);

-- Who handed in a round, and for which body (C3, rule 1). One row per person and round; the
-- secretary sees counts per body, never this list. A person deleted later keeps being counted
-- (SET NULL), so the respondent counts of a closed round never change.
CREATE TABLE sa_participation (
    round_id  bigint NOT NULL,
    person_id bigint REFERENCES person (id) ON DELETE SET NULL,
    body_id   bigint NOT NULL,
    CONSTRAINT sa_participation_once UNIQUE (round_id, person_id),
    CONSTRAINT sa_participation_body FOREIGN KEY (round_id, body_id)
        REFERENCES sa_round_body (round_id, body_id) ON DELETE RESTRICT
);

-- What was answered (C3, rules 1–3): the body answered for, the statement, the answer and the
-- comment. Deliberately no primary key: nothing on this row may identify a person, a session, a
-- moment or an order of arrival.
CREATE TABLE sa_answer (
    round_id     bigint NOT NULL,
    body_id      bigint NOT NULL,
    statement_id bigint NOT NULL,
    -- domain::selfassessment::Answer
    answer       text NOT NULL CHECK (answer IN ('1', '2', '3', '4', '5', 'weet_niet')),
    comment      text CHECK (comment <> '' AND length(comment) <= 1000),
    CONSTRAINT sa_answer_body FOREIGN KEY (round_id, body_id)
        REFERENCES sa_round_body (round_id, body_id) ON DELETE RESTRICT,
    CONSTRAINT sa_answer_statement FOREIGN KEY (round_id, statement_id)
        REFERENCES sa_round_statement (round_id, id) ON DELETE RESTRICT
);
CREATE INDEX sa_answer_round_body ON sa_answer (round_id, body_id);

-- Answers are only ever written whole (at submit and when the round closes) and never changed;
-- they are written only while their round is open.
CREATE FUNCTION sa_answer_refuse_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sa_answer rows cannot be changed'
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER sa_answer_refuse_update BEFORE UPDATE ON sa_answer
    FOR EACH STATEMENT EXECUTE FUNCTION sa_answer_refuse_update();

CREATE FUNCTION sa_answer_round_open() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN sa_round r ON r.id = n.round_id WHERE r.status <> 'open') THEN
        RAISE EXCEPTION 'answers can only be written while their round is open'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sa_answer_round_open';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sa_answer_round_open AFTER INSERT ON sa_answer
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sa_answer_round_open();

-- A respondent's saved, not yet submitted answers (C3, rule 4): theirs alone, deleted when they
-- submit and, unread, when the round closes. The body is chosen at submit.
CREATE TABLE sa_answer_draft (
    round_id     bigint NOT NULL,
    person_id    bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    statement_id bigint NOT NULL,
    answer       text CHECK (answer IN ('1', '2', '3', '4', '5', 'weet_niet')),
    comment      text CHECK (comment <> '' AND length(comment) <= 1000),
    PRIMARY KEY (round_id, person_id, statement_id),
    CONSTRAINT sa_answer_draft_statement FOREIGN KEY (round_id, statement_id)
        REFERENCES sa_round_statement (round_id, id) ON DELETE CASCADE,
    CONSTRAINT sa_answer_draft_something CHECK (answer IS NOT NULL OR comment IS NOT NULL)
);
CREATE INDEX sa_answer_draft_person ON sa_answer_draft (person_id);

-- A closed round's alignment score per S (domain::selfassessment::compute_alignment), kept when
-- it closes: its answers never change afterwards, and the trend and the dashboard need only
-- these seven numbers of every earlier round. Null: no score for that S (a side hidden, or no
-- scores given).
CREATE TABLE sa_round_alignment (
    round_id bigint NOT NULL REFERENCES sa_round (id) ON DELETE CASCADE,
    s        text NOT NULL CHECK (s IN ('gedeelde_waarden', 'strategie', 'structuur', 'systemen',
                                        'personeel', 'vaardigheden', 'stijl')),
    score    numeric CHECK (score BETWEEN 0 AND 100),
    PRIMARY KEY (round_id, s)
);
