-- upgrade:no-transaction
-- Built without locking out writes; CONCURRENTLY cannot run inside a transaction.
CREATE UNIQUE INDEX CONCURRENTLY products_sku ON products (sku);
