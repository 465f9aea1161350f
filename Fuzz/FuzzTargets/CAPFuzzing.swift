import Alerting

/// Parses XML documents with the safe XML parser and as CAP alerts.
///
/// The XML parser runs with small limits, so that short inputs reach them, and the tree it
/// returns must stay within them.
enum CAPFuzzing {
    private static let smallLimits: SafeXMLParser = {
        var parser = SafeXMLParser()
        parser.maximumBytes = 16_384
        parser.maximumDepth = 8
        parser.maximumElements = 64
        return parser
    }()

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        do {
            let root = try smallLimits.parse(bytes)
            result.accept()
            var elementCount = 0
            let depth = measure(root, elementCount: &elementCount)
            result.expect(depth <= smallLimits.maximumDepth, "an XML tree of depth \(depth) passed the limit of \(smallLimits.maximumDepth)")
            result.expect(
                elementCount <= smallLimits.maximumElements,
                "an XML tree of \(elementCount) elements passed the limit of \(smallLimits.maximumElements)")
        } catch {
            result.reject(error, by: "SafeXMLParser.parse")
        }

        do {
            let alert = try CAPParser.parse(bytes)
            result.accept()
            result.expect(!alert.identifier.isEmpty, "a CAP alert parsed with an empty identifier")
            result.expect(!alert.sender.isEmpty, "a CAP alert parsed with an empty sender")
            result.expect(CAPParser.namespaces.values.contains(alert.version), "a CAP alert parsed with version \(alert.version)")
        } catch {
            result.reject(error, by: "CAPParser.parse")
        }
    }

    /// Returns the depth of the tree below and including `element`, counting its elements.
    private static func measure(_ element: XMLElement, elementCount: inout Int) -> Int {
        elementCount += 1
        var deepest = 0
        for child in element.children {
            deepest = max(deepest, measure(child, elementCount: &elementCount))
        }
        return deepest + 1
    }
}
