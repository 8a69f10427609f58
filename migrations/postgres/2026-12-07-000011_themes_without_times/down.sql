-- The times come back as NOT NULL columns without a default, as they were;
-- what they held is gone, they read the epoch.
ALTER TABLE themes ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE themes ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE themes ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE themes ALTER COLUMN updated_at DROP DEFAULT;
