-- B4: the day the boards last reviewed an agreement. With the review cadence (review_months) it
-- says when the next review is due; a due review puts the agreement on the next joint agenda.
ALTER TABLE agreement ADD COLUMN reviewed_on date;

-- The owner's overview asks "what do I own that is still open" for every dashboard view.
CREATE INDEX agreement_open_owner ON agreement (owner_id)
    WHERE status IN ('vastgesteld', 'in_uitvoering');
