-- Objections from the public through the open data portal: the raiser is a registered open-data
-- key (open.api_key; no foreign key, the open module's tables come after this module's).
ALTER TABLE objection.objection DROP CONSTRAINT objection_raiser_type_check;
ALTER TABLE objection.objection ADD CONSTRAINT objection_raiser_type_check CHECK (raiser_type IN ('user', 'app', 'public'));
ALTER TABLE objection.objection ADD COLUMN raiser_open_key_id bigint;
CREATE INDEX ON objection.objection (raiser_open_key_id) WHERE raiser_open_key_id IS NOT NULL;
