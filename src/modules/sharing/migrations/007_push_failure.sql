-- A delivery that failed part-way (a push whose target refused a batch) is recorded as failed, with
-- the reason, instead of staying "not completed" for ever.
ALTER TABLE share.delivery ADD COLUMN failed_at timestamptz, ADD COLUMN error text;
