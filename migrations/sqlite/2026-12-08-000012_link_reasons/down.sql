ALTER TABLE theme_links DROP COLUMN authors;
ALTER TABLE theme_links DROP COLUMN reporting;
