DROP TABLE import_drafts;
DROP TABLE adoptions;
DROP TABLE tools;
DROP TABLE members;
DROP TABLE teams;
