-- upgrade:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS products_sku;
