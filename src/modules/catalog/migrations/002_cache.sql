-- The data services cache each resource's published view (table, items); any change drops it (kernel 003).
CREATE TRIGGER resource_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.resource
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('resource');
CREATE TRIGGER resource_version_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.resource_version
  FOR EACH STATEMENT EXECUTE FUNCTION kernel.cache_changed('resource');
