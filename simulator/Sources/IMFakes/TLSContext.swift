import CSSL
import Foundation

/// A server TLS context: a certificate chain and its private key, loaded once and shared by
/// every connection of one fake server.
///
/// OpenSSL allows `SSL_new(3)` on one `SSL_CTX` from several threads, and the context is not
/// changed after `init`, so the type is Sendable.
public final class TLSContext: @unchecked Sendable {
    // @unchecked Sendable: the SSL_CTX is configured in init and only read afterwards.

    let raw: OpaquePointer
    /// The PEM certificate the context serves, which a client that should trust the server
    /// takes as its CA file.
    public let certificatePath: String

    /// Loads the PEM certificate chain and key with `SSL_CTX_use_certificate_chain_file(3)`
    /// and `SSL_CTX_use_PrivateKey_file(3)`.
    /// - Throws: `IMFakeError` when a file is missing or the key does not match.
    public init(certificatePath: String, keyPath: String) throws(IMFakeError) {
        guard let context = alertbox_tls_server_context(certificatePath, keyPath) else {
            throw IMFakeError(
                "cannot load the TLS certificate \(certificatePath) with key \(keyPath); check that both are PEM files and belong together")
        }
        raw = context
        self.certificatePath = certificatePath
    }

    deinit {
        alertbox_tls_context_free(raw)
    }

    /// Creates a self-signed certificate for 127.0.0.1 in `directory` with `openssl req`, as
    /// `NAME-cert.pem` and `NAME-key.pem`, and loads it.
    ///
    /// The certificate carries `subjectAltName=IP:127.0.0.1` and is valid for one day, so a
    /// client verifies it only when it takes the certificate as its CA file.
    /// - Throws: `IMFakeError` when `/usr/bin/openssl` is missing or fails.
    public static func selfSigned(name: String, in directory: String) throws(IMFakeError) -> TLSContext {
        let certificate = "\(directory)/\(name)-cert.pem"
        let key = "\(directory)/\(name)-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try ProcessLaunch.run(openssl)
        } catch {
            throw IMFakeError("cannot run /usr/bin/openssl to make a test certificate in \(directory): \(error); install the openssl package")
        }
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw IMFakeError("openssl req exited with \(openssl.terminationStatus) while making \(certificate)")
        }
        return try TLSContext(certificatePath: certificate, keyPath: key)
    }
}
