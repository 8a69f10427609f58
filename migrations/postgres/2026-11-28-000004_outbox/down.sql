DROP TABLE outbox;
DROP TABLE opt_outs;
ALTER TABLE rounds DROP COLUMN closed_at;
ALTER TABLE rounds DROP COLUMN thank_on_close;
ALTER TABLE programs DROP COLUMN thank_on_close;
