extension Schema {
    /// The state of the SMS command path that must survive a restart.
    ///
    /// No column contains a PIN or a command text in clear. A handled command is kept as the
    /// SHA-256 of its text with the PIN masked, which is enough to recognise a second copy.
    static let smsCommands = """
        -- Wrong PINs and lockouts per sender, so a restart does not reset a lockout.
        CREATE TABLE sms_command_senders (
            e164 TEXT PRIMARY KEY,
            -- Times of the wrong PINs still inside the counting window, comma-separated.
            failures TEXT NOT NULL DEFAULT '',
            locked_until INTEGER,
            updated_at INTEGER NOT NULL
        );

        -- Commands already handled, by sender, TP-SCTS and masked-text hash, to reject copies.
        CREATE TABLE sms_command_seen (
            e164 TEXT NOT NULL,
            scts INTEGER NOT NULL,
            text_sha256 TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (e164, scts, text_sha256)
        );
        CREATE INDEX sms_command_seen_by_time ON sms_command_seen(at);

        -- Alerts raised by SMS command and who raised them, for `取消` without a number.
        CREATE TABLE sms_command_alerts (
            alert_id INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
            e164 TEXT NOT NULL,
            trigger_name TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX sms_command_alerts_by_sender ON sms_command_alerts(e164, at);
        """
}
