import Core
import Foundation
import Storage

/// The events the box keeps for upstream: what happened to SMS, and what came back.
///
/// Payloads carry ids and masked numbers, except an inbound SMS, whose sender and text are
/// the event itself. Each event's key is stable, so a repeat of the same event is one row.
enum SyncEvent {
    /// Records the outcome of an SMS attempt.
    static func smsOutcome(
        deliveryID: Int64, alertID: Int64, attempt: Int, state: String, recipient: String?, at wallMillis: Int64, in connection: Connection
    ) throws(StorageError) {
        try append(
            kind: "sms.\(state)", key: "delivery:\(deliveryID):attempt:\(attempt):\(state)",
            fields: [
                "delivery_id": deliveryID, "alert_id": alertID, "attempt": attempt, "state": state,
                "recipient": PhoneMask.mask(recipient ?? ""), "at": wallMillis,
            ], at: wallMillis, in: connection)
    }

    /// Records a final status report.
    static func statusReport(deliveryID: Int64, attempt: Int, state: String, status: Int, at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        try append(
            kind: "sms.report", key: "report:\(deliveryID):attempt:\(attempt):\(state)",
            fields: ["delivery_id": deliveryID, "attempt": attempt, "state": state, "status": status, "at": wallMillis], at: wallMillis,
            in: connection)
    }

    /// Records an acknowledgement.
    static func acknowledgement(id: Int64, alertID: Int64, contactID: Int64?, keyword: String, at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        var fields: [String: Any] = ["acknowledgement_id": id, "alert_id": alertID, "keyword": keyword, "at": wallMillis]
        fields["contact_id"] = contactID
        try append(kind: "acknowledgement", key: "acknowledgement:\(id)", fields: fields, at: wallMillis, in: connection)
    }

    /// Records an inbound SMS, with its sender and text.
    static func inboundSMS(messageID: Int64, from sender: String, text: String, complete: Bool, at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        try append(
            kind: "sms.received", key: "message:\(messageID):\(complete ? "complete" : "partial"):\(fnv1a(text))",
            fields: ["message_id": messageID, "from": sender, "text": text, "complete": complete, "at": wallMillis], at: wallMillis,
            in: connection)
    }

    /// Returns the 64-bit FNV-1a hash of the text's UTF-8, stable across runs unlike `hashValue`,
    /// so a correction of a message gets its own key.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private static func append(kind: String, key: String, fields: [String: Any], at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        var object = fields
        object["kind"] = kind
        object["key"] = key
        let payload = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try SyncOutbox.append(kind: kind, key: key, payload: payload, at: wallMillis, in: connection)
    }
}
