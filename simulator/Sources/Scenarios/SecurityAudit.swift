import Foundation
import Glibc

/// The checks every scenario ends with: no log line names a configured secret or an unmasked
/// phone number, and every file the box created is owner-only.
///
/// Findings name the secret and the line number, never the secret's value, because the
/// scenario's own output is audited too.
enum SecurityAudit {
    /// A secret the scenario configured or typed, by a name that is safe to print.
    struct Secret {
        var name: String
        var value: String
    }

    /// An 11-digit mainland mobile number, with or without `86`/`+86`, that no digit touches.
    private static let mobilePattern = try! NSRegularExpression(pattern: "(?<![0-9])(?:\\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9])")  // A constant, valid pattern.
    /// Any `+86` followed by digits: masked numbers drop the country code.
    private static let countryCodePattern = try! NSRegularExpression(pattern: "\\+86[ -]?[0-9]{5,}")  // A constant, valid pattern.
    private static let digitRunPattern = try! NSRegularExpression(pattern: "[0-9]{7,}")  // A constant, valid pattern.

    /// Returns one description per leak in `lines`: a configured secret, an unmasked mobile or
    /// `+86` number, or a number of `roster` written as digits.
    /// - Parameter roster: numbers in E.164 (`+8613800100001`); their national and `86` forms count too.
    static func leaks(in lines: [String], source: String, secrets: [Secret], roster: [String]) -> [String] {
        var rosterDigits: Set<String> = []
        for number in roster {
            let digits = number.filter(\.isNumber)
            rosterDigits.insert(digits)
            if digits.hasPrefix("86") { rosterDigits.insert(String(digits.dropFirst(2))) }
        }
        let usable = secrets.filter { !$0.value.isEmpty }
        var findings: [String] = []
        for (index, line) in lines.enumerated() {
            let place = "\(source):\(index + 1)"
            for secret in usable where contains(line, secret: secret.value) {
                findings.append("\(place): the secret \(secret.name)")
            }
            let range = NSRange(line.startIndex..., in: line)
            if mobilePattern.firstMatch(in: line, range: range) != nil || countryCodePattern.firstMatch(in: line, range: range) != nil {
                findings.append("\(place): an unmasked phone number")
                continue
            }
            for match in digitRunPattern.matches(in: line, range: range) {
                guard let run = Range(match.range, in: line) else { continue }
                if rosterDigits.contains(String(line[run])) {
                    findings.append("\(place): a roster number")
                    break
                }
            }
        }
        return findings
    }

    /// Returns whether `line` contains `secret`. A secret of digits only, such as a PIN, counts
    /// only where no other digit touches it, so that it does not match inside a time stamp.
    static func contains(_ line: String, secret: String) -> Bool {
        guard secret.allSatisfy(\.isASCII), secret.allSatisfy(\.isNumber) else { return line.contains(secret) }
        var searchStart = line.startIndex
        while let found = line.range(of: secret, range: searchStart..<line.endIndex) {
            let before = found.lowerBound == line.startIndex ? nil : line[line.index(before: found.lowerBound)]
            let after = found.upperBound == line.endIndex ? nil : line[found.upperBound]
            if before?.isNumber != true, after?.isNumber != true { return true }
            searchStart = line.index(after: found.lowerBound)
        }
        return false
    }

    /// Returns each file or directory under `roots` (the roots too, recursively, without
    /// following symbolic links) whose mode gives the group or others any permission, as
    /// `path mode`.
    static func looseModes(under roots: [String]) -> [String] {
        var findings: [String] = []
        var pending = roots
        while let path = pending.popLast() {
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            let mode = status.st_mode & 0o7777
            if mode & 0o077 != 0 {
                findings.append("\(path) \(String(mode, radix: 8))")
            }
            if status.st_mode & S_IFMT == S_IFDIR {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    pending.append(path + "/" + name)
                }
            }
        }
        return findings
    }

    /// Checks the modes of the files the box created. Run it while the box still runs, so
    /// that SQLite's `-wal` and `-shm` exist.
    static func checkModes(_ stage: ScenarioStage) {
        let n = stage.narrator
        var roots = [stage.stateDirectory]
        if FileManager.default.fileExists(atPath: stage.consoleSocket) { roots.append(stage.consoleSocket) }
        let created = (try? FileManager.default.contentsOfDirectory(atPath: stage.stateDirectory)) ?? []
        let loose = looseModes(under: roots)
        n.say("umask 022 下报警箱建立的文件：\(created.sorted().joined(separator: ", "))", "files the box created under umask 022: \(created.sorted().joined(separator: ", "))")
        for finding in loose { n.say("权限过宽：\(finding)", "mode too open: \(finding)") }
        n.expect(
            loose.isEmpty && created.contains("alertbox.db"), "状态目录、数据库及其 -wal/-shm、控制台套接字都只有属主可访问",
            "the state directory, the database with its -wal and -shm, and the console socket are owner-only")
    }

    /// Scans every line of the box's log and of the scenario's output for the stage's secrets
    /// and for phone numbers in clear.
    static func checkLogs(_ stage: ScenarioStage) {
        let n = stage.narrator
        let secrets = stage.secrets
        let roster = stage.roster
        let boxLines = stage.logLines()
        let ownLines = n.printed
        let findings = leaks(in: boxLines, source: "alertbox.log", secrets: secrets, roster: roster)
            + leaks(in: ownLines, source: "scenario output", secrets: secrets, roster: roster)
        n.say(
            "日志审计：alertbox \(boxLines.count) 行、场景输出 \(ownLines.count) 行，检查 \(secrets.count) 个密钥和 \(roster.count) 个号码",
            "log audit: \(boxLines.count) alertbox lines and \(ownLines.count) scenario lines, checked for \(secrets.count) secrets and \(roster.count) numbers")
        for finding in findings.prefix(20) { n.say("泄漏：\(finding)", "leak: \(finding)") }
        n.expect(
            findings.isEmpty, "日志中没有密钥，也没有未打码的电话号码（发现 \(findings.count) 处）",
            "no log line contains a secret or an unmasked phone number (\(findings.count) found)")
    }
}
