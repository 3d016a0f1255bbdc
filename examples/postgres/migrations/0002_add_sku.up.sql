ALTER TABLE products ADD COLUMN sku text;
UPDATE products SET sku = 'SKU-' || lpad(id::text, 5, '0');
ALTER TABLE products ALTER COLUMN sku SET NOT NULL;
