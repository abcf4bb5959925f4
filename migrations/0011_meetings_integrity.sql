-- Meetings integrity (issue #10): minutes adopted only in a later meeting, versioned attendance,
-- voting eligibility by what a body is rather than its code, divided items kept until a joint
-- meeting takes them, and real links from agenda items to agreements and budget scenarios.

-- A6: "notulen vastgesteld" always names the meeting that adopted the minutes. A meeting that
-- reached the status through the old status button (no adopting meeting, actions not frozen)
-- goes back to "gesloten", so that its minutes can be adopted properly in a later meeting.
UPDATE meeting SET status = 'gesloten', version = version + 1
WHERE status = 'notulen_vastgesteld' AND minutes_adopted_in IS NULL;
ALTER TABLE meeting
    ADD CONSTRAINT meeting_minutes_adopted_in_a_meeting
        CHECK ((status = 'notulen_vastgesteld') = (minutes_adopted_in IS NOT NULL)),
    -- F4: attendance is saved as one list per meeting; its own counter, so that editing the
    -- meeting and recording who is present do not conflict with each other.
    ADD COLUMN attendance_version integer NOT NULL DEFAULT 0;

-- A4: the employment form of a body's seats (NULL: not bound to one). The voting rules for
-- financial matters of self-employed specialists and for employment conditions of employed
-- specialists, and the check on memberships, read this instead of the body's code, so a body
-- can be renamed in Beheer. The default bodies of 0002 get theirs here.
ALTER TABLE body
    ADD COLUMN seat_employment_form text
        CONSTRAINT body_seat_employment_form_code CHECK (seat_employment_form IN ('vrijgevestigd', 'dienstverband'));
UPDATE body SET seat_employment_form = 'vrijgevestigd', version = version + 1 WHERE code = 'MSB';
UPDATE body SET seat_employment_form = 'dienstverband', version = version + 1 WHERE code = 'VMSD';

-- A3: a divided item whose follow-up found no later joint meeting with an open agenda waits
-- here, and goes onto the next joint meeting when that is created. The row goes when the
-- follow-up is placed (agenda_item.follow_up_of_id records it) or the bodies agree after all.
CREATE TABLE follow_up_pending (
    item_id    bigint PRIMARY KEY REFERENCES agenda_item (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A2: what an agenda item links to. One row per link, exactly one target column set; a further
-- kind (7S results, C) adds its code, a nullable column with its foreign key and a term in the
-- check. RESTRICT, as for agreement.budget_scenario_id: an object an agenda cites stays.
CREATE TABLE agenda_item_link (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id            bigint NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    kind               text NOT NULL CONSTRAINT agenda_item_link_kind CHECK (kind IN ('afspraak', 'scenario')),
    agreement_id       bigint REFERENCES agreement (id) ON DELETE RESTRICT,
    budget_scenario_id bigint REFERENCES budget_scenario (id) ON DELETE RESTRICT,
    CONSTRAINT agenda_item_link_one_target CHECK (
        num_nonnulls(agreement_id, budget_scenario_id) = 1
        AND (kind = 'afspraak') = (agreement_id IS NOT NULL)
        AND (kind = 'scenario') = (budget_scenario_id IS NOT NULL)
    ),
    CONSTRAINT agenda_item_link_agreement_once UNIQUE (item_id, agreement_id),
    CONSTRAINT agenda_item_link_scenario_once UNIQUE (item_id, budget_scenario_id)
);
CREATE INDEX agenda_item_link_item ON agenda_item_link (item_id);
CREATE INDEX agenda_item_link_agreement ON agenda_item_link (agreement_id) WHERE agreement_id IS NOT NULL;
CREATE INDEX agenda_item_link_scenario ON agenda_item_link (budget_scenario_id) WHERE budget_scenario_id IS NOT NULL;

-- The old free-text "links" field was never shown on any page. Whatever was typed there is kept
-- at the end of the item's description, where readers of the item now see it; then it goes.
UPDATE agenda_item
SET description = CASE WHEN btrim(description) = '' THEN 'Links: ' || btrim(links)
                       ELSE description || E'\n\nLinks: ' || btrim(links) END,
    version = version + 1
WHERE btrim(links) <> '';
ALTER TABLE agenda_item DROP COLUMN links;
