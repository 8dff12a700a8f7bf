-- Append-only tables whose time column follows the order of insertion: a BRIN index answers time
-- ranges at a fraction of a B-tree's cost per insert (one insert per audit entry, one per signed request).
DROP INDEX kernel.audit_log_ts_idx;
CREATE INDEX audit_log_ts_brin ON kernel.audit_log USING brin (ts);
DROP INDEX kernel.app_nonce_seen_idx;
CREATE INDEX app_nonce_seen_brin ON kernel.app_nonce USING brin (seen_at);
