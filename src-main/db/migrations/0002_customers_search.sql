-- Customer search at 100k rows: an FTS5 trigram index (substring match, works for Hebrew)
-- over name, email, the phone's digits in national (0501234567) and international
-- (972501234567) form, and the tags. Kept in step with `customers` by triggers.
CREATE VIRTUAL TABLE `customers_fts` USING fts5(name, email, phones, tags, tokenize = 'trigram');
--> statement-breakpoint
CREATE TRIGGER `customers_fts_ai` AFTER INSERT ON `customers` BEGIN
  INSERT INTO customers_fts(rowid, name, email, phones, tags) VALUES (
    new.id, new.name, coalesce(new.email, ''),
    CASE WHEN new.phone LIKE '+972%' THEN '0' || substr(new.phone, 5) || ' ' || substr(new.phone, 2)
         ELSE coalesce(substr(new.phone, 2), '') END,
    new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `customers_fts_ad` AFTER DELETE ON `customers` BEGIN
  DELETE FROM customers_fts WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `customers_fts_au` AFTER UPDATE OF name, email, phone, tags ON `customers` BEGIN
  DELETE FROM customers_fts WHERE rowid = old.id;
  INSERT INTO customers_fts(rowid, name, email, phones, tags) VALUES (
    new.id, new.name, coalesce(new.email, ''),
    CASE WHEN new.phone LIKE '+972%' THEN '0' || substr(new.phone, 5) || ' ' || substr(new.phone, 2)
         ELSE coalesce(substr(new.phone, 2), '') END,
    new.tags);
END;
--> statement-breakpoint
INSERT INTO customers_fts(rowid, name, email, phones, tags)
  SELECT id, name, coalesce(email, ''),
    CASE WHEN phone LIKE '+972%' THEN '0' || substr(phone, 5) || ' ' || substr(phone, 2)
         ELSE coalesce(substr(phone, 2), '') END,
    tags
  FROM customers;
