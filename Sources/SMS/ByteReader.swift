/// A cursor over PDU bytes that reports which field ran short.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int {
        bytes.count - offset
    }

    mutating func byte(_ field: String) throws(SMSError) -> UInt8 {
        try take(1, field)[0]
    }

    mutating func take(_ count: Int, _ field: String) throws(SMSError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field, offset: offset, needed: count, available: remaining)
        }
        let slice = Array(bytes[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func rest() -> [UInt8] {
        let slice = Array(bytes[offset...])
        offset = bytes.count
        return slice
    }
}
