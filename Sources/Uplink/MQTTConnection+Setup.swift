import CMosquitto
import Core

extension MQTTConnection {
    /// Applies the protocol version, credentials, TLS and Last Will to a new handle.
    /// - Throws: `MQTTError` of kind `setupFailed` naming the option libmosquitto rejected.
    /// `mosquitto_int_option(3)`, `mosquitto_username_pw_set(3)`, `mosquitto_tls_set(3)`,
    /// `mosquitto_tls_opts_set(3)`, `mosquitto_tls_insecure_set(3)`, `mosquitto_will_set(3)`.
    static func configure(_ handle: Handle, settings: MQTTSettings) throws(MQTTError) {
        let pointer = handle.pointer
        func check(_ code: Int32, _ what: String) throws(MQTTError) {
            guard code == MOSQ_ERR_SUCCESS.rawValue else {
                throw MQTTError(.setupFailed, code: code, detail: "\(what) failed: \(errorText(code))")
            }
        }

        // Other threads call into the handle besides the network thread.
        try check(mosquitto_threaded_set(pointer, true), "enabling libmosquitto's thread safety")
        try check(mosquitto_int_option(pointer, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311), "selecting MQTT 3.1.1")
        try check(mosquitto_int_option(pointer, MOSQ_OPT_TCP_NODELAY, 1), "setting TCP_NODELAY")

        if let credentials = settings.credentials {
            try check(
                mosquitto_username_pw_set(pointer, credentials.username, credentials.password),
                "setting the mqtt user name \(credentials.username) and its password")
        }

        if let tls = settings.tls {
            try check(
                mosquitto_tls_set(pointer, tls.caFile, nil, tls.certificateFile, tls.keyFile, nil),
                "loading the mqtt TLS files (CA \(tls.caFile), certificate \(tls.certificateFile ?? "none"), key \(tls.keyFile ?? "none")); check that they exist and are PEM")
            // A nil version keeps libmosquitto's default, TLS 1.2 and newer.
            try check(
                mosquitto_tls_opts_set(pointer, alertbox_mosquitto_verify_peer, nil, nil),
                "requiring verification of the broker's certificate")
            try check(mosquitto_tls_insecure_set(pointer, tls.skipHostNameCheck), "setting the host-name check")
        }

        let will = offlinePayload(boxID: settings.boxID)
        try check(
            mosquitto_will_set(pointer, settings.statusTopic, Int32(will.count), will, 1, true),
            "setting the Last Will on \(settings.statusTopic)")
    }

    /// Returns the retained `offline` status of the Last Will.
    static func offlinePayload(boxID: String) -> [UInt8] {
        Array("{\"box\":\(JSONText.quoted(boxID)),\"status\":\"offline\"}".utf8)
    }
}
