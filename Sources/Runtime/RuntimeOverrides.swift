import Console
import Core
import Scheduler

/// Applies the settings operators committed from the console to the scheduler's settings.
///
/// The configuration file gives the starting values; a key an operator committed with
/// `config commit` wins from the next start on, because the registry marks these keys as
/// applying after a restart. Values were validated when they were set.
enum RuntimeOverrides {
    /// Returns the keys applied.
    static func apply(_ overrides: [String: String], to settings: inout SchedulerSettings) -> [String] {
        var applied: [String] = []
        func integer(_ key: String, _ body: (Int) -> Void) {
            guard let text = overrides[key], let value = Int(text) else { return }
            body(value)
            applied.append(key)
        }
        func list(_ key: String, _ body: ([String]) -> Void) {
            guard let text = overrides[key] else { return }
            body(text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty })
            applied.append(key)
        }
        integer("sms.per_minute") { settings.smsLimits.perMinute = $0 }
        integer("sms.per_hour") { settings.smsLimits.perHour = $0 }
        integer("sms.per_day") { settings.smsLimits.perDay = $0 }
        integer("sms.reserve_per_hour") { settings.smsLimits.reservePerHour = $0 }
        integer("sms.reserve_per_day") { settings.smsLimits.reservePerDay = $0 }
        list("ack.keywords") { settings.acknowledgementKeywords = $0 }
        integer("ack.window_hours") { settings.acknowledgementWindow = .seconds($0 * 3600) }
        integer("escalation.timeout_seconds") { settings.escalationTimeout = .seconds($0) }
        integer("trigger.window_seconds") { settings.triggerWindow = .seconds($0) }
        list("alerts.test_groups") { settings.testAudience = $0 }
        if let text = overrides["alerts.all_clear"] {
            switch text {
            case "none": settings.allClear = .none
            case "audience": settings.allClear = .audience
            default: settings.allClear = .reached
            }
            applied.append("alerts.all_clear")
        }
        integer("box.utc_offset_minutes") {
            settings.utcOffsetMinutes = $0
            settings.composer.renderer.utcOffsetMinutes = $0
        }
        return applied
    }
}
