-- A grant serves from the first day of its application's period (Beijing time), not from its approval.
ALTER TABLE share.grant ADD COLUMN starts_at timestamptz;
UPDATE share.grant g SET starts_at = (a.period_from::timestamp AT TIME ZONE 'Asia/Shanghai') FROM share.application a WHERE a.id = g.application_id;
