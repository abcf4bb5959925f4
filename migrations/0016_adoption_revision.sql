-- An adoption moves the budget revision (0010): the app then reads an adopted scenario from its
-- snapshot instead of the input it cached before the deciding vote, and a next year whose last
-- year's allocation now comes from this adoption is read again.
CREATE TRIGGER budget_adoption_budget_revision AFTER INSERT ON budget_adoption
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
