/// The box's schema, as numbered migrations.
///
/// Times are milliseconds since the Unix epoch (UTC) unless a column says otherwise. Phone
/// numbers are stored in E.164. Every table that the scheduler scans has the index its query
/// needs.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: initial),
        Migration(version: 2, name: "scheduler: triggers, audiences, languages, escalations", sql: scheduler, rebuildsTables: true),
        Migration(version: 3, name: "SMS commands: lockouts, handled commands, raised alerts", sql: smsCommands),
        Migration(version: 4, name: "console: users", sql: console),
    ]

    static let initial = """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
            -- Quiet hours as minutes after local midnight; P0 ignores them.
            quiet_start_minute INTEGER CHECK (quiet_start_minute BETWEEN 0 AND 1439),
            quiet_end_minute INTEGER CHECK (quiet_end_minute BETWEEN 0 AND 1439),
            -- Lower ranks are alerted first.
            role_rank INTEGER NOT NULL DEFAULT 100,
            note TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );

        CREATE TABLE contact_phones (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            e164 TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (contact_id, e164)
        );
        CREATE INDEX contact_phones_by_number ON contact_phones(e164);

        CREATE TABLE contact_roles (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            PRIMARY KEY (contact_id, role)
        );

        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            -- A sequenced group escalates to its next member when no one acknowledges.
            sequenced INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (group_id, contact_id)
        );
        CREATE INDEX group_members_by_contact ON group_members(contact_id);

        CREATE TABLE im_targets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL CHECK (channel IN ('wecom', 'dingtalk', 'feishu', 'webhook', 'mqtt')),
            -- Endpoint settings as JSON; secrets live in the configuration file, not here.
            settings TEXT NOT NULL DEFAULT '{}',
            enabled INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE im_target_groups (
            target_id INTEGER NOT NULL REFERENCES im_targets(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            PRIMARY KEY (target_id, group_id)
        );

        CREATE TABLE templates (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            sms_text TEXT NOT NULL,
            im_text TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (name, language)
        );

        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            identifier TEXT NOT NULL UNIQUE,
            sender TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('Actual', 'Exercise', 'System', 'Test', 'Draft')),
            message_type TEXT NOT NULL CHECK (message_type IN ('Alert', 'Update', 'Cancel', 'Ack', 'Error')),
            -- CAP references: "sender,identifier,sent" entries separated by spaces.
            references_text TEXT,
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            urgency TEXT,
            severity TEXT,
            certainty TEXT,
            expires_at INTEGER,
            -- The trigger: gpio, console, sms_command, cap, mqtt.
            source TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded', 'cancelled', 'expired', 'done')),
            created_at INTEGER NOT NULL
        );
        CREATE INDEX alerts_by_state ON alerts(state, priority);

        CREATE TABLE alert_texts (
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            language TEXT NOT NULL,
            headline TEXT,
            sms_text TEXT NOT NULL,
            im_text TEXT NOT NULL,
            PRIMARY KEY (alert_id, language)
        );

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            channel TEXT NOT NULL CHECK (channel IN ('sms', 'wecom', 'dingtalk', 'feishu', 'webhook', 'mqtt')),
            -- Exactly one of: an SMS recipient, or an IM target.
            recipient_e164 TEXT,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            target_id INTEGER REFERENCES im_targets(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'unknown', 'cancelled', 'superseded', 'expired')),
            attempt INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL DEFAULT 0,
            cause TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            sent_at INTEGER,
            delivered_at INTEGER,
            CHECK ((recipient_e164 IS NULL) != (target_id IS NULL))
        );
        -- The scheduler's next-send query: pending rows by priority, readiness and age.
        CREATE INDEX deliveries_next ON deliveries(channel, priority, not_before, id) WHERE state = 'pending';
        CREATE INDEX deliveries_by_alert ON deliveries(alert_id, state);
        CREATE INDEX deliveries_by_recipient ON deliveries(recipient_e164, sent_at) WHERE recipient_e164 IS NOT NULL;
        CREATE INDEX deliveries_in_flight ON deliveries(state) WHERE state = 'sending';

        CREATE TABLE sms_parts (
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            part INTEGER NOT NULL,
            total INTEGER NOT NULL,
            sim TEXT NOT NULL,
            message_reference INTEGER,
            submitted_at INTEGER NOT NULL,
            report_status INTEGER,
            report_at INTEGER,
            PRIMARY KEY (delivery_id, attempt, part)
        );
        -- Status reports are paired by reference and recipient within a window.
        CREATE INDEX sms_parts_by_reference ON sms_parts(sim, message_reference, submitted_at);
        -- The SIM budget counts parts per SIM over the last minute, hour and day.
        CREATE INDEX sms_parts_by_sim_time ON sms_parts(sim, submitted_at);

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            channel TEXT NOT NULL,
            peer TEXT NOT NULL,
            body TEXT NOT NULL,
            alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
            delivery_id INTEGER REFERENCES deliveries(id) ON DELETE SET NULL,
            -- For received SMS: the concatenation key, so a correction updates the same row.
            reassembly_key TEXT,
            complete INTEGER NOT NULL DEFAULT 1,
            at INTEGER NOT NULL
        );
        CREATE INDEX messages_by_time ON messages(at);
        CREATE UNIQUE INDEX messages_by_reassembly ON messages(reassembly_key) WHERE reassembly_key IS NOT NULL;

        CREATE TABLE acknowledgements (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            from_e164 TEXT,
            channel TEXT NOT NULL,
            keyword TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX acknowledgements_by_alert ON acknowledgements(alert_id);

        CREATE TABLE config_versions (
            version INTEGER PRIMARY KEY,
            -- 'pending' until committed; one pending version at most.
            state TEXT NOT NULL CHECK (state IN ('pending', 'committed', 'rolled_back')),
            author TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            committed_at INTEGER
        );
        CREATE UNIQUE INDEX config_versions_one_pending ON config_versions(state) WHERE state = 'pending';

        CREATE TABLE config_values (
            version INTEGER NOT NULL REFERENCES config_versions(version) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (version, key)
        );

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            channel TEXT,
            subject TEXT,
            detail TEXT
        );
        CREATE INDEX audit_log_by_time ON audit_log(at);
        -- The audit log is append-only.
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

        CREATE TABLE sync_outbox (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            synced_at INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sync_outbox_unsynced ON sync_outbox(id) WHERE synced_at IS NULL;
        """

    static let scheduler = """
        -- Alerts are rebuilt: CAP identifiers are unique per sender, not per box, so two feeds
        -- may both send an alert "1". New columns: the trigger that raised the alert (a repeat
        -- within the window raises nothing new), the contact groups it went to as a JSON array
        -- (an Update without an audience of its own inherits them), and its event in the
        -- box's language (CAP info/event) for the all-clear's text.
        CREATE TABLE alerts_rebuilt (
            id INTEGER PRIMARY KEY,
            identifier TEXT NOT NULL,
            sender TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (
                status = 'Actual' OR status = 'Exercise' OR status = 'System' OR status = 'Test' OR status = 'Draft'),
            message_type TEXT NOT NULL CHECK (
                message_type = 'Alert' OR message_type = 'Update' OR message_type = 'Cancel' OR message_type = 'Ack'
                OR message_type = 'Error'),
            -- CAP references: "sender,identifier,sent" entries separated by spaces.
            references_text TEXT,
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            urgency TEXT,
            severity TEXT,
            certainty TEXT,
            expires_at INTEGER,
            -- The trigger: gpio, console, sms_command, cap, mqtt.
            source TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'active' CHECK (
                state = 'active' OR state = 'superseded' OR state = 'cancelled' OR state = 'expired' OR state = 'done'),
            created_at INTEGER NOT NULL,
            trigger_key TEXT,
            audience TEXT NOT NULL DEFAULT '[]',
            event TEXT,
            UNIQUE (sender, identifier)
        );
        INSERT INTO alerts_rebuilt (id, identifier, sender, sent_at, status, message_type, references_text, priority, urgency,
            severity, certainty, expires_at, source, state, created_at)
        SELECT id, identifier, sender, sent_at, status, message_type, references_text, priority, urgency, severity, certainty,
            expires_at, source, state, created_at FROM alerts;
        DROP TABLE alerts;
        ALTER TABLE alerts_rebuilt RENAME TO alerts;
        CREATE INDEX alerts_by_state ON alerts(state, priority);
        CREATE INDEX alerts_by_trigger ON alerts(trigger_key, created_at) WHERE trigger_key IS NOT NULL;

        -- Each IM channel's rendering of the text, as a JSON object by channel name.
        ALTER TABLE alert_texts ADD COLUMN im_renders TEXT NOT NULL DEFAULT '{}';

        -- A contact's first number by position, read once per recipient when an audience is planned.
        CREATE INDEX contact_phones_by_position ON contact_phones(contact_id, position, e164);

        -- Deliveries are rebuilt with a language column, and with their CHECK constraints as
        -- OR chains: SQLite evaluates `x IN (list)` in a CHECK through a temporary table on
        -- every row, which made inserting 100,000 rows six times slower (SQLite 3.40).
        CREATE TABLE deliveries_rebuilt (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
            channel TEXT NOT NULL CHECK (
                channel = 'sms' OR channel = 'wecom' OR channel = 'dingtalk' OR channel = 'feishu' OR channel = 'webhook'
                OR channel = 'mqtt'),
            -- Exactly one of: an SMS recipient, or an IM target.
            recipient_e164 TEXT,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            target_id INTEGER REFERENCES im_targets(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (
                state = 'pending' OR state = 'sending' OR state = 'sent' OR state = 'delivered' OR state = 'failed'
                OR state = 'unknown' OR state = 'cancelled' OR state = 'superseded' OR state = 'expired'),
            attempt INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL DEFAULT 0,
            cause TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            sent_at INTEGER,
            delivered_at INTEGER,
            -- The language of the text the delivery carries: the contact's, else the box's.
            language TEXT NOT NULL DEFAULT 'zh' CHECK (language = 'zh' OR language = 'en'),
            CHECK ((recipient_e164 IS NULL) != (target_id IS NULL))
        );
        INSERT INTO deliveries_rebuilt (id, alert_id, priority, channel, recipient_e164, contact_id, target_id, state, attempt,
            not_before, cause, created_at, updated_at, sent_at, delivered_at)
        SELECT id, alert_id, priority, channel, recipient_e164, contact_id, target_id, state, attempt, not_before, cause,
            created_at, updated_at, sent_at, delivered_at FROM deliveries;
        DROP TABLE deliveries;
        ALTER TABLE deliveries_rebuilt RENAME TO deliveries;
        -- The scheduler keeps the send order in memory and reads pending rows only at start, so
        -- the version 1 index on the next-send order is not rebuilt.
        CREATE INDEX deliveries_by_alert ON deliveries(alert_id, state);
        -- Replies are matched to the latest SMS sent to a number; rows enter this index when
        -- sent, so planning 100,000 deliveries does not pay for it.
        CREATE INDEX deliveries_by_recipient ON deliveries(recipient_e164, sent_at) WHERE sent_at IS NOT NULL;
        CREATE INDEX deliveries_in_flight ON deliveries(state) WHERE state = 'sending';

        -- A sequenced group's escalation: when no one acknowledges within the timeout after the
        -- SMS to the current contact went out, the contact at next_position is alerted.
        CREATE TABLE escalations (
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            next_position INTEGER NOT NULL,
            -- NULL until the current contact's SMS is sent.
            due_at INTEGER,
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'acknowledged', 'exhausted', 'cancelled')),
            PRIMARY KEY (alert_id, group_id)
        );
        CREATE INDEX escalations_waiting ON escalations(due_at) WHERE state = 'waiting';
        """

    static let console = """
        -- Console users. The password is stored as `pbkdf2-sha256$ITERATIONS$SALT$HASH`; the
        -- runtime settings the console edits use config_versions and config_values.
        CREATE TABLE console_users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role = 'operator' OR role = 'admin'),
            password_hash TEXT NOT NULL,
            -- 1 until the user sets a password of their own: first boot, after a reset.
            must_change INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            last_login_at INTEGER
        );
        """
}
