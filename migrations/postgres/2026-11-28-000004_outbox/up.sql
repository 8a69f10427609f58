-- Whether a program thanks those who answered when a round closes, and the
-- round's own copy of that choice.
ALTER TABLE programs ADD COLUMN thank_on_close BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rounds ADD COLUMN thank_on_close BOOLEAN NOT NULL DEFAULT FALSE;
-- Set by the scheduler once it has handled the round's closing.
ALTER TABLE rounds ADD COLUMN closed_at TIMESTAMP;

-- A member who asked, from a link in an email, to get no more invitations
-- from a program.
CREATE TABLE opt_outs (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (program_id, member_id)
);

-- Every email, written in the same transaction as what causes it and sent by
-- the delivery worker. The message is built when it is sent, from the
-- invitation, so a changed address or an extended deadline is honoured.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES invitations (id),
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thanks')),
    -- The reminder's number (1, 2, …); 0 for the other kinds.
    seq BIGINT NOT NULL DEFAULT 0,
    -- The local part of the Message-ID, kept so that a retry is the same email.
    message_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'retrying', 'sent', 'failed', 'skipped')),
    attempts BIGINT NOT NULL DEFAULT 0,
    -- When a queued or retrying email may next be tried.
    due_at TIMESTAMP NOT NULL,
    -- A worker's claim on a 'sending' row; another may take it once it passes.
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (invitation_id, kind, seq)
);
CREATE INDEX outbox_status_due_at ON outbox (status, due_at);
CREATE INDEX outbox_round_id ON outbox (round_id);
