/// How a dry contact or button is wired, which says what "active" means for it.
///
/// A normally open contact closes when it fires (a panic button). A normally closed contact
/// opens when it fires (a fire panel's alarm relay, a nurse-call loop), and a break in its
/// wiring looks the same as an alarm, so one that stays open for long is reported as a wiring
/// fault as well.
public enum ContactKind: String, Sendable, Hashable, CaseIterable {
    case normallyOpen = "normally-open"
    case normallyClosed = "normally-closed"
}
