/// Removal of IM credentials from URLs and error text before they reach an error or a log.
///
/// The robot APIs put their credentials in the URL: WeCom's `key` and DingTalk's
/// `access_token` and `sign` in the query, Feishu's hook token as the last path segment, and
/// any endpoint may carry `user:password@` in the authority.
public enum Redaction {
    /// The query parameter names whose values are credentials, compared in lowercase.
    public static let secretQueryNames: Set<String> = ["key", "access_token", "sign", "token", "secret"]

    /// The placeholder written in place of a credential.
    public static let placeholder = "<redacted>"

    /// Returns `url` with credential query values, the Feishu hook token and any userinfo
    /// replaced by `<redacted>`.
    public static func redactedURL(_ url: String) -> String {
        let (withoutFragment, fragment) = split(url, at: "#")
        let (base, query) = split(String(withoutFragment), at: "?")

        var result = redactedPath(redactedUserInfo(String(base)))
        if let query {
            let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                let (name, value) = split(String(pair), at: "=")
                guard value != nil, secretQueryNames.contains(name.lowercased()) else { return String(pair) }
                return "\(name)=\(placeholder)"
            }
            result += "?" + pairs.joined(separator: "&")
        }
        if let fragment {
            result += "#" + fragment
        }
        return result
    }

    /// Returns `text` with every credential that `url` carries replaced by `<redacted>`, in
    /// raw and in percent-encoded form. It cleans messages from libcurl, which may quote
    /// parts of the URL. Values shorter than four characters are left in place, because
    /// replacing them would garble the text and no real key or token is that short.
    public static func scrubbed(_ text: String, credentialsOf url: String) -> String {
        var result = text
        for secret in credentials(in: url) where secret.count >= 4 {
            result = result.replacing(secret, with: placeholder)
            result = result.replacing(Signing.percentEncoded(secret), with: placeholder)
        }
        return result
    }

    /// Returns the credential values that `url` carries, longest first so that a secret
    /// that contains another is replaced whole.
    static func credentials(in url: String) -> [String] {
        let (base, query) = split(url, at: "?")
        var found: [String] = []
        if let query {
            for pair in query.split(separator: "&") {
                let (name, value) = split(String(pair), at: "=")
                if let value, !value.isEmpty, secretQueryNames.contains(name.lowercased()) {
                    found.append(String(value))
                    found.append(percentDecoded(String(value)))
                }
            }
        }
        if let token = hookToken(in: String(base)) {
            found.append(token)
        }
        if let userInfo = userInfo(in: String(base)) {
            found.append(userInfo)
        }
        return Array(Set(found)).sorted { $0.count > $1.count }
    }

    // MARK: Parts of a URL

    private static func split(_ text: String, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (Substring(text), nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// The Feishu hook token: the path segment after `/hook/`.
    private static func hookToken(in base: String) -> String? {
        guard let range = base.firstRange(of: "/hook/") else { return nil }
        let token = base[range.upperBound...].prefix { $0 != "/" }
        return token.isEmpty ? nil : String(token)
    }

    private static func redactedPath(_ base: String) -> String {
        guard let token = hookToken(in: base), let range = base.firstRange(of: "/hook/" + token) else { return base }
        return base.replacingCharacters(in: range, with: "/hook/" + placeholder)
    }

    /// Returns the `user:password` part of the authority, if any.
    private static func userInfo(in base: String) -> String? {
        guard let schemeEnd = base.firstRange(of: "://") else { return nil }
        let authority = base[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return String(authority[..<at])
    }

    private static func redactedUserInfo(_ base: String) -> String {
        guard let info = userInfo(in: base), let range = base.firstRange(of: info + "@") else { return base }
        return base.replacingCharacters(in: range, with: placeholder + "@")
    }

    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return text }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
