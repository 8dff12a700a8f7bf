-- Rows that every process caches (src/kernel/db/shared-cache.ts) announce their changes at commit:
-- NOTIFY gongshu_cache with the cache topic; each process then drops that topic's entries.
CREATE FUNCTION kernel.cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gongshu_cache', TG_ARGV[0]);
  RETURN NULL;
END $$;

CREATE TRIGGER app_credential_cache
  AFTER INSERT OR DELETE OR UPDATE OF app_key, name, department_id, secret_sealed, status ON kernel.app_credential
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('credential');
CREATE TRIGGER app_credential_cache_truncate AFTER TRUNCATE ON kernel.app_credential
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('credential');
