import ATProtocol

/// Feeds bytes from a modem's serial port through framing, classification and the typed
/// reply parsers.
///
/// The first input byte sets the scene: bit 0 sets `isPromptExpected`, bit 1 accepts
/// numeric result codes, and bits 2-4 pick the command in flight. The rest is the byte
/// stream, framed twice: whole, and one byte per read, which must give the same events
/// because a serial read may split the stream anywhere.
enum ATFuzzing {
    /// Commands whose replies the classifier reads differently: none, prefixed lines, text
    /// lines, PDU bodies after headers, and a prompt for a PDU.
    private static let commands: [ATCommand?] = [
        nil,
        .attention,
        .readSignalQuality,
        .identification,
        .listMessages(),
        .readMessage(index: 3),
        .scanOperators,
        try? .sendPDU("0011000D91683108000000F10000AA04D4F29C0E"),
    ]

    /// Every typed parser, each tried on every line that has a prefix.
    private static let responseTypes: [any ATInformationResponse.Type] = [
        CharacterSet.self, DeletableMessages.self, MessageFormat.self, MessageHeader.self, MessageReference.self,
        NetworkRegistration.self, NewMessageIndicationSettings.self, OperatorSelection.self, OperatorScan.self,
        PINRetryCounts.self, PINStatus.self, PreferredStorage.self, SupportedStorages.self, QuectelServingCell.self,
        QuectelSignalQuality.self, SIMComSystemInfo.self, ServiceCentreAddress.self, SignalQuality.self,
        ExtendedSignalQuality.self, SingleValueResponse.self, StoredMessageIndication.self, TextModeParameters.self,
    ]

    /// Types whose `line` formats one of the several forms they parse, so their round trip
    /// loses data by design. `CharacterSet` formats the read form of a test-form list.
    /// `PINRetryCounts` formats only the SIM PIN line of `+CPINR` and the SC line of `+QPINC`.
    /// NOTE: a `+CPINR` or `+QPINC` value without a SIM PIN count formats as a line that does
    /// not parse; only the parse side of these types is fuzzed.
    private static let partialFormatters: Set<String> = ["\(CharacterSet.self)", "\(PINRetryCounts.self)"]

    /// A short line limit, so that short inputs reach the overflow path.
    private static let maximumLineLength = 64

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        guard let scene = bytes.first else { return }
        let stream = bytes.dropFirst()
        let promptExpected = scene & 0x01 != 0
        let command = commands[Int(scene >> 2) & 0x07]

        var whole = ATLineFramer(maximumLineLength: maximumLineLength)
        whole.isPromptExpected = promptExpected
        let events = whole.feed(stream)
        checkFraming(events, streamLength: stream.count, pending: whole.pendingByteCount, &result)

        var bytewise = ATLineFramer(maximumLineLength: maximumLineLength)
        bytewise.isPromptExpected = promptExpected
        var splitEvents: [ATLineFramer.Event] = []
        for byte in stream {
            splitEvents += bytewise.feed(CollectionOfOne(byte))
        }
        result.expect(
            splitEvents == events, "framing one byte per read gave \(splitEvents.count) events, the whole stream \(events.count)")

        var classifier = ATLineClassifier()
        classifier.acceptsNumericResultCodes = scene & 0x02 != 0
        for event in events {
            guard case .line(let line) = event else { continue }
            for classification in classifier.classify(line, inFlight: command) {
                inspect(classification, &result)
            }
            parseTyped(line.text, &result)
        }
        _ = ProductIdentification(lines: events.compactMap { if case .line(let line) = $0 { line.text } else { nil } })
    }

    private static func checkFraming(_ events: [ATLineFramer.Event], streamLength: Int, pending: Int, _ result: inout FuzzResult) {
        result.expect(pending <= maximumLineLength, "the framer keeps \(pending) bytes, over its limit of \(maximumLineLength)")
        for event in events {
            switch event {
            case .line(let line):
                result.expect(!line.bytes.isEmpty, "the framer returned an empty line")
                result.expect(line.bytes.count <= maximumLineLength, "a framed line of \(line.bytes.count) bytes exceeds the limit")
                result.expect(
                    !line.bytes.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 },
                    "a framed line contains CR, LF or NUL: \(line.bytes)")
            case .overflow(let count):
                result.expect(count > 0, "an overflow event discarded \(count) bytes")
            case .prompt:
                break
            }
        }
    }

    private static func inspect(_ classification: ATLineClassifier.Classification, _ result: inout FuzzResult) {
        switch classification {
        case .urc(let urc):
            // Each accessor runs the typed parser of its URC kind.
            _ = (urc.registration, urc.storedMessage, urc.messageHeader, urc.pinStatus)
            result.accept()
        case .response(let text):
            parseTyped(text, &result)
        case .echo, .finalResult, .urcHeader, .unknown:
            break
        }
    }

    /// Parses `text` with every typed parser whose prefix matches; what parses must format
    /// into a line that parses back to the same value.
    private static func parseTyped(_ text: String, _ result: inout FuzzResult) {
        guard let prefixed = ATPrefixedLine(text) else { return }
        for type in responseTypes where type.prefixes.contains(prefixed.prefix) {
            checkRoundTrip(type, text, &result)
        }
    }

    private static func containsQuote(_ field: ATField) -> Bool {
        switch field {
        // By scalar: a quote followed by a combining mark is one character that is not `"`.
        case .bare(let value), .quoted(let value): value.unicodeScalars.contains("\"")
        case .list(let items): items.contains(where: containsQuote)
        case .empty, .range: false
        }
    }

    private static func checkRoundTrip<Response: ATInformationResponse>(
        _ type: Response.Type, _ text: String, _ result: inout FuzzResult
    ) {
        let parsed: Response
        do {
            parsed = try Response(line: text)
        } catch {
            result.reject(error, by: "\(Response.self)")
            return
        }
        result.accept()
        guard !partialFormatters.contains("\(Response.self)") else { return }
        // The tolerant tokenizer keeps a quote inside a field, and a quoted string cannot
        // hold one (27.007 writes it as the escape \22, which neither side decodes).
        guard let fields = ATPrefixedLine(text)?.fields, !fields.contains(where: containsQuote) else { return }
        do {
            let again = try Response(line: parsed.line)
            result.expect(again == parsed, "\(Response.self) of \(text.debugDescription) formats as \(parsed.line.debugDescription), which parses to another value")
        } catch {
            result.expect(false, "\(Response.self) of \(text.debugDescription) formats as \(parsed.line.debugDescription), which does not parse: \(error)")
        }
    }
}
