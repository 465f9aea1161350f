/// The SMS service centre address from `+CSCA: <sca>,<tosca>`, the reply to `AT+CSCA?`.
///
/// Example: `+CSCA: "+8613800000000",145`. With `AT+CSCS="UCS2"` the address arrives
/// hex-encoded (`"002B0038..."`), and ``decodedAddress`` decodes it. Logs must use
/// ``description``, which masks the number.
/// 3GPP TS 27.005 §3.3.1
public struct ServiceCentreAddress: ATInformationResponse, CustomStringConvertible {
    public static let prefixes: Set<String> = ["+CSCA"]

    /// The address as printed, in the TE character set.
    public var address: String
    /// The type of address: 145 international, 129 national or unknown.
    public var typeOfAddress: Int?

    /// Creates an address.
    public init(address: String, typeOfAddress: Int? = nil) {
        self.address = address
        self.typeOfAddress = typeOfAddress
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.address = reader.optionalString(0) ?? ""
        self.typeOfAddress = try reader.optionalInteger(1, "tosca")
    }

    /// The address, decoded from UCS-2 hex when it is in that form.
    ///
    /// A value is taken as UCS-2 when it has a multiple of four hex digits, at least eight,
    /// and every code unit decodes to a dial-string character (`+`, `*`, `#` or a digit).
    public var decodedAddress: String {
        let characters = Array(address)
        guard characters.count >= 8, characters.count % 4 == 0, characters.allSatisfy(\.isHexDigit) else {
            return address
        }
        var decoded = ""
        for start in stride(from: 0, to: characters.count, by: 4) {
            guard let unit = UInt32(String(characters[start..<start + 4]), radix: 16),
                let scalar = Unicode.Scalar(unit),
                "+*#0123456789".unicodeScalars.contains(scalar)
            else {
                return address
            }
            decoded.unicodeScalars.append(scalar)
        }
        return decoded
    }

    public var line: String {
        var parameters = [ATFormat.quoted(address)]
        if let typeOfAddress {
            parameters.append(String(typeOfAddress))
        }
        return ATFormat.line("+CSCA", parameters)
    }

    /// The line with the number masked, safe for logs.
    public var description: String {
        ATProtocolError.masked(line)
    }
}
