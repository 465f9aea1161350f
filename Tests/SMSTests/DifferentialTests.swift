import Foundation
import IMFakes
import Testing
import TestSupport

@testable import SMS

/// Differential tests against two independent SMS implementations: libgammu (through
/// python-gammu) and python-gsmmodem-new, run by `Tests/Oracles/sms_oracle.py` in the project's
/// virtualenv. Our PDUs must decode in both to the same text, number and concatenation data,
/// and theirs must decode in ours.
@Suite(.serialized) struct DifferentialTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The virtualenv's interpreter: `ALERTBOX_PYTHON`, else `.venv/bin/python`.
    static var python: String {
        ProcessInfo.processInfo.environment["ALERTBOX_PYTHON"] ?? repository.appendingPathComponent(".venv/bin/python").path
    }

    /// Sends cases to the oracle and returns its results by case id.
    static func askOracle(_ cases: [[String: Any]]) async throws -> [String: [String: Any]] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw OracleError(message: "no Python at \(python); run scripts/setup (or make test) to create the .venv with the oracles")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = directory.appendingPathComponent("request.json")
        let reply = directory.appendingPathComponent("reply.json")
        try JSONSerialization.data(withJSONObject: ["cases": cases]).write(to: request)

        let arguments = [repository.appendingPathComponent("Tests/Oracles/sms_oracle.py").path, request.path, reply.path]
        let (status, errorText) = try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
            let errors = ProcessLaunch.pipe()
            process.standardError = errors
            try ProcessLaunch.run(process)
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, errorText)
        }
        guard status == 0 else {
            throw OracleError(message: "oracle exited with \(status): \(errorText)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: reply)) as? [String: Any]
        let results = object?["results"] as? [[String: Any]] ?? []
        var byID: [String: [String: Any]] = [:]
        for result in results {
            if let id = result["id"] as? String {
                byID[id] = result
            }
        }
        return byID
    }

    struct OracleError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static let oracles = ["gammu", "gsmmodem"]

    // MARK: Our PDUs in their decoders

    @Test func ourPDUsDecodeInBoth() async throws {
        var generator = DifferentialTextGenerator(seed: 0x5EED_A1E7)
        var cases: [[String: Any]] = []
        var expected: [String: (text: String, concatenation: Concatenation?, number: String, gsm7: Bool)] = [:]
        for index in 0..<1500 {
            let text = generator.text()
            let number = generator.phoneNumber()
            // One message in four uses a 16-bit reference.
            let reference: ConcatenationReference = index % 4 == 3
                ? .sixteenBit(UInt16(truncatingIfNeeded: index * 37))
                : .eightBit(UInt8(truncatingIfNeeded: index))
            let pdus = try SubmitEncoder.encode(
                text, to: .international(number),
                options: SubmitOptions(statusReportRequest: index % 2 == 0, concatenationReference: reference))
            let gsm7 = GSMAlphabet.canEncode(text)
            for (part, pdu) in pdus.enumerated() {
                let id = "\(index).\(part)"
                cases.append(["id": id, "op": "decode", "pdu": pdu.hex])
                expected[id] = (pdu.text, pdu.concatenation, number, gsm7)
            }
        }

        let results = try await Self.askOracle(cases)
        var disagreements: [String] = []
        var explained: [String: Int] = [:]
        for (id, want) in expected.sorted(by: { $0.key < $1.key }) {
            for oracle in Self.oracles {
                guard let got = results[id]?[oracle] as? [String: Any] else {
                    disagreements.append("\(id) \(oracle): no result")
                    continue
                }
                if let error = got["error"] as? String {
                    disagreements.append("\(id) \(oracle): error \(error) for \(want.text.debugDescription)")
                    continue
                }
                let text = got["text"] as? String ?? ""
                if text != want.text {
                    if let bugs = OracleKnownBug.explain(
                        text, expected: want.text, oracle: oracle,
                        part: .init(
                            gsm7: want.gsm7, concatenated: want.concatenation != nil,
                            sixteenBit: want.concatenation?.referenceBits == 16),
                        bugs: OracleKnownBug.decoding)
                    {
                        for bug in bugs {
                            explained["\(oracle): \(bug)", default: 0] += 1
                        }
                    } else {
                        disagreements.append("\(id) \(oracle): text \(text.debugDescription) != \(want.text.debugDescription)")
                    }
                }
                if got["number"] as? String != want.number {
                    disagreements.append("\(id) \(oracle): number \(String(describing: got["number"]))")
                }
                let concat = got["concat"] as? [String: Any]
                if let concatenation = want.concatenation {
                    let matches = concat?["reference"] as? Int == Int(concatenation.reference)
                        && concat?["total"] as? Int == concatenation.total
                        && concat?["sequence"] as? Int == concatenation.sequence
                    if !matches {
                        disagreements.append("\(id) \(oracle): concatenation \(String(describing: concat))")
                    }
                } else if concat != nil {
                    disagreements.append("\(id) \(oracle): unexpected concatenation \(String(describing: concat))")
                }
            }
        }
        print("differential decode: \(expected.count) PDUs; disagreements explained by documented library bugs: \(explained.sorted { $0.key < $1.key })")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10).map(\.debugDescription))")
        #expect(expected.count > 2000)
    }

    // MARK: Their PDUs in our decoder

    @Test func theirPDUsDecodeInOurs() async throws {
        var generator = DifferentialTextGenerator(seed: 0xC0FF_EE11)
        var cases: [[String: Any]] = []
        var texts: [String: (text: String, number: String)] = [:]
        for index in 0..<800 {
            let text = generator.text()
            let number = generator.phoneNumber()
            let id = "\(index)"
            cases.append([
                "id": id, "op": "encode", "number": number, "text": text, "reference": index % 256,
                "status_report": index % 3 == 0, "ucs2": !GSMAlphabet.canEncode(text),
            ])
            texts[id] = (text, number)
        }

        let results = try await Self.askOracle(cases)
        var disagreements: [String] = []
        var explained: [String: Int] = [:]
        var decodedCount = 0
        for (id, want) in texts.sorted(by: { $0.key < $1.key }) {
            for oracle in Self.oracles {
                guard let got = results[id]?[oracle] as? [String: Any], let pdus = got["pdus"] as? [[String: Any]] else {
                    let error = (results[id]?[oracle] as? [String: Any])?["error"] ?? "no result"
                    // gsmmodem writes each code point as one UCS-2 unit and fails outside the BMP.
                    if oracle == "gsmmodem", want.text.unicodeScalars.contains(where: { $0.value > 0xFFFF }) {
                        explained["gsmmodem: cannot encode outside the BMP", default: 0] += 1
                    } else {
                        disagreements.append("\(id) \(oracle): could not encode: \(error)")
                    }
                    continue
                }
                var reassembler = Reassembler()
                var events: [ReassemblyEvent] = []
                for pdu in pdus {
                    guard let hex = pdu["hex"] as? String else { continue }
                    do {
                        guard case .submit(let submit) = try PDUDecoder.decode(hex: hex) else {
                            disagreements.append("\(id) \(oracle): not an SMS-SUBMIT")
                            continue
                        }
                        if submit.destination.description != want.number {
                            disagreements.append("\(id) \(oracle): number \(submit.destination)")
                        }
                        let bytes = try Hex.decode(hex)
                        let smscLength = Int(bytes[0]) + 1
                        if let length = pdu["tpdu_length"] as? Int, length != bytes.count - smscLength {
                            disagreements.append("\(id) \(oracle): TPDU length \(length) does not match the PDU")
                        }
                        events += reassembler.receive(
                            ReceivedPart(
                                sender: submit.destination.description, alphabet: submit.userData.alphabet,
                                payload: submit.userData.payload, concatenation: submit.userData.concatenation),
                            at: .init(nanoseconds: 0))
                        decodedCount += 1
                    } catch {
                        disagreements.append("\(id) \(oracle): our decoder failed: \(error)")
                    }
                }
                let texts = events.compactMap { event -> String? in
                    if case .complete(let message) = event { return message.text }
                    return nil
                }
                let joined = texts.joined()
                if joined != want.text {
                    if let bugs = OracleKnownBug.explain(
                        joined, expected: want.text, oracle: oracle,
                        part: .init(gsm7: GSMAlphabet.canEncode(want.text), concatenated: false, sixteenBit: false),
                        bugs: OracleKnownBug.encoding)
                    {
                        for bug in bugs {
                            explained["\(oracle): \(bug)", default: 0] += 1
                        }
                    } else {
                        disagreements.append("\(id) \(oracle): reassembled \(joined.debugDescription) != \(want.text.debugDescription)")
                    }
                }
            }
        }
        print("differential encode: \(decodedCount) PDUs; disagreements explained by documented library bugs: \(explained.sorted { $0.key < $1.key })")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10).map(\.debugDescription))")
        #expect(decodedCount > 1600)
    }

    // MARK: The field-case vectors in all three

    static let vectors: [(hex: String, text: String)] = [
        ("0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01", "Test 1"),
        ("0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5", "测试"),
        ("0891683108000000F0440D91683108000000F10008421050800000230E050003A702017B2C4E0090E85206", "第一部分"),
        ("0891683108000000F0440D91683108000000F10008421050800000230E050003A702027B2C4E8C90E85206", "第二部分"),
        ("0891683108000000F0440D91683108000000F100084210508000002309060804123402014E00", "一"),
        ("0891683108000000F00409D04166514A0500004210508000002302C834", "Hi"),
        ("0011000D91683108000000F10000AA04D4F29C0E", "Test"),
        ("0031000D91683108000000F20000AA04D4F29C0E", "Test"),
        ("0011000D91683108000000F10008AA04706B8B66", "火警"),
    ]

    @Test func vectorsAgreeInAllThree() async throws {
        let cases: [[String: Any]] = Self.vectors.enumerated().map { ["id": "\($0.offset)", "op": "decode", "pdu": $0.element.hex] }
        let results = try await Self.askOracle(cases)
        for (index, vector) in Self.vectors.enumerated() {
            #expect(try PDUDecoder.decode(hex: vector.hex).userData?.text == vector.text)
            for oracle in Self.oracles {
                let got = results["\(index)"]?[oracle] as? [String: Any]
                #expect(got?["text"] as? String == vector.text, "\(oracle) on \(vector.hex)")
            }
        }
    }
}

/// Generates the differential tests' texts from a fixed seed: Chinese, emoji, GSM 7-bit with
/// extension characters and form feed, and mixtures, sized at and around every segment
/// boundary or at random.
struct DifferentialTextGenerator {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }

    static let gsmBasic = Array("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà".unicodeScalars)
    static let gsmExtension = Array("^{}\\[~]|€\u{0C}".unicodeScalars)
    static let emoji = ["😀", "🚒", "🔥", "👍🏽", "🇨🇳", "👨‍👩‍👧‍👦", "❤️", "🏥", "🆘"]
    static let boundaries = [1, 10, 66, 67, 68, 69, 70, 71, 133, 134, 135, 152, 153, 154, 159, 160, 161, 200, 305, 306, 307]

    mutating func phoneNumber() -> String {
        let prefixes = ["130", "138", "139", "150", "166", "177", "186", "199"]
        var number = "+86" + prefixes[below(prefixes.count)]
        for _ in 0..<8 {
            number += String(below(10))
        }
        return number
    }

    /// Returns a text of one of five kinds, sized to a boundary (in its own units) or at random.
    mutating func text() -> String {
        let target = below(3) == 0 ? 1 + below(320) : Self.boundaries[below(Self.boundaries.count)]
        let kind = below(5)
        var text = ""
        var units = 0
        while units < target {
            let piece: String
            switch kind {
            case 0:
                piece = String(Self.gsmBasic[below(Self.gsmBasic.count)])
            case 1:
                piece = below(6) == 0
                    ? String(Self.gsmExtension[below(Self.gsmExtension.count)])
                    : String(Self.gsmBasic[below(Self.gsmBasic.count)])
            case 2:
                piece = String(Unicode.Scalar(UInt32(0x4E00 + below(0x9FFF - 0x4E00)))!)
            case 3:
                piece = below(8) == 0 ? Self.emoji[below(Self.emoji.count)] : String(Unicode.Scalar(UInt32(0x4E00 + below(0x5000)))!)
            default:
                switch below(4) {
                case 0: piece = String(Self.gsmBasic[below(Self.gsmBasic.count)])
                case 1: piece = String(Self.gsmExtension[below(Self.gsmExtension.count)])
                case 2: piece = Self.emoji[below(Self.emoji.count)]
                default: piece = String(Unicode.Scalar(UInt32(0x4E00 + below(0x5000)))!)
                }
            }
            let alphabet: SMSAlphabet = kind <= 1 ? .gsm7 : .ucs2
            units += TextEncoding.cost(of: piece, in: alphabet)
            text += piece
        }
        return text
    }
}
