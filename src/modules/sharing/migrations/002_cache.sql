-- The data services cache grants per (app credential, resource); any change drops them (kernel 003).
CREATE TRIGGER grant_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON share.grant
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('grant');
