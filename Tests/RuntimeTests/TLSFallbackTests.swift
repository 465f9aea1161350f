import Foundation
import Glibc
import TestSupport
import Testing

/// `alertbox run` with a WeCom robot behind HTTPS on `alertbox-sim`'s fake server, or with
/// MQTT over TLS to a real mosquitto or to that fake server in the broker's place: a
/// certificate that fails verification stops the send before any request goes out, and the
/// P1 alert reaches its contact by SMS instead.
@Suite(.serialized) struct TLSFallbackTests {
    /// What is wrong with the fake server's certificate for the box.
    enum Flaw: String, CaseIterable, CustomStringConvertible {
        /// The box trusts another self-signed certificate.
        case wrongCA
        /// The certificate is trusted but names another host.
        case wrongHost
        /// The certificate is trusted but expired in 2020.
        case expired

        var description: String { rawValue }
    }

    static let robotKey = "tls-test-key-0123456789"
    static let contact = "+8613800070001"

    @Test(arguments: Flaw.allCases)
    func failedCertificateFallsBackToSMS(_ flaw: Flaw) async throws {
        let run = try await Self.play(flaw)
        #expect(run.smsTexts.count == 1, "the P1 alert reaches its contact by SMS")
        #expect(run.imRequests == 0, "no HTTP request reached the fake server")
        #expect(run.log.contains("the server's TLS certificate was rejected"))
        #expect(!run.log.contains(Self.robotKey))
    }

    /// The same setup with a certificate the box trusts: the alert goes over IM and no SMS
    /// goes out, so the failures above come from the certificate alone.
    @Test func trustedCertificateCarriesTheAlert() async throws {
        let run = try await Self.play(nil)
        #expect(run.imRequests == 1)
        #expect(run.smsTexts.isEmpty)
        #expect(!run.log.contains("certificate was rejected"))
    }

    /// MQTT over TLS to the same fake server and its flawed certificate. The certificate is
    /// checked in the handshake, before any MQTT byte, so a TLS server that speaks no MQTT
    /// can stand in for the broker.
    @Test(arguments: Flaw.allCases)
    func mqttCertificateFlawFallsBackToSMS(_ flaw: Flaw) async throws {
        let run = try await Self.play(flaw, over: .mqtt)
        #expect(run.smsTexts.count == 1, "the P1 alert reaches its contact by SMS")
        #expect(run.log.contains("TLS with the broker failed"))
        #expect(run.log.contains("certificate verify failed"), "the handshake failed, so no MQTT byte went out")
        #expect(run.imRequests == 0)
        #expect(!run.log.contains(MosquittoBroker.password))
    }

    /// MQTT over TLS to a real mosquitto whose certificate another CA signed: the box never
    /// logs in to the broker, so it publishes nothing, and the P1 goes by SMS.
    @Test func mqttBrokerWithWrongCAFallsBackToSMS() async throws {
        let broker = try await MosquittoBroker.start()
        defer { broker.stop() }
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "tls-fallback-mqtt")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try await Self.pressP1(
            uplink: Self.mqttSection(port: Int(broker.tlsPort), caFile: try broker.otherCAFile, directory: directory), simulator: simulator,
            directory: directory)

        #expect(run.smsTexts.count == 1, "the P1 alert reaches its contact by SMS")
        #expect(run.log.contains("TLS with the broker failed"))
        #expect(!run.log.contains(MosquittoBroker.password))
        #expect(!Self.brokerSawLogin(broker), "the box never logged in to the broker")
    }

    /// The same broker with the CA that signed its certificate: the box logs in and publishes
    /// the alert, and no SMS goes out, so the test above fails for the CA alone.
    @Test func mqttBrokerWithTrustedCACarriesTheAlert() async throws {
        let broker = try await MosquittoBroker.start()
        defer { broker.stop() }
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "tls-mqtt-trusted")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try await Self.pressP1(
            uplink: Self.mqttSection(port: Int(broker.tlsPort), caFile: try broker.caFile, directory: directory), simulator: simulator,
            directory: directory, sent: { log in log.contains("the broker acknowledged the alert") })

        #expect(Self.brokerSawLogin(broker))
        #expect(run.log.contains("the broker acknowledged the alert"))
        #expect(run.smsTexts.isEmpty)
        #expect(!run.log.contains("TLS with the broker failed"))
    }

    /// A broker that requires a client certificate: with the certificate the box logs in and
    /// publishes the P1; without it the broker resets or rejects every TLS session, and the P1
    /// goes by SMS.
    @Test(arguments: [true, false])
    func mqttClientCertificate(_ configured: Bool) async throws {
        let broker = try await MosquittoBroker.start()
        defer { broker.stop() }
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "tls-mqtt-client")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = configured ? (certificate: try broker.clientCertificate, key: try broker.clientKey) : nil
        let uplink = try Self.mqttSection(port: Int(broker.clientCertificatePort), caFile: try broker.caFile, directory: directory, client: client)

        if configured {
            let run = try await Self.pressP1(
                uplink: uplink, simulator: simulator, directory: directory, sent: { log in log.contains("the broker acknowledged the alert") })
            #expect(run.log.contains("the broker acknowledged the alert"))
            #expect(run.smsTexts.isEmpty)
        } else {
            let run = try await Self.pressP1(uplink: uplink, simulator: simulator, directory: directory)
            #expect(run.smsTexts.count == 1, "the P1 alert reaches its contact by SMS")
            #expect(run.log.contains("TLS with the broker failed"))
            #expect(!Self.brokerSawLogin(broker), "the box never logged in to the broker")
        }
    }

    /// Returns an `[mqtt]` section for a TLS listener on `port` that trusts `caFile`, and
    /// writes the broker password into an owner-only file in `directory`. With `client`, the
    /// section names that certificate and a copy of its key made owner-only.
    static func mqttSection(
        port: Int, caFile: String, directory: String, client: (certificate: String, key: String)? = nil
    ) throws -> String {
        try MosquittoBroker.password.write(toFile: directory + "/mqtt-password", atomically: true, encoding: .utf8)
        chmod(directory + "/mqtt-password", 0o600)
        var clientLines = ""
        if let client {
            try FileManager.default.copyItem(atPath: client.key, toPath: directory + "/client.key")
            chmod(directory + "/client.key", 0o600)
            clientLines = "certificate_file = \"\(client.certificate)\"\nkey_file = \"\(directory)/client.key\"\n"
        }
        return """
            [mqtt]
            host = "127.0.0.1"
            port = \(port)
            ca_file = "\(caFile)"
            \(clientLines)\
            username = "\(MosquittoBroker.username)"
            password_file = "\(directory)/mqtt-password"
            groups = ["保卫处"]
            """
    }

    /// Returns whether mosquitto logged a client that logged in with the box's user name.
    static func brokerSawLogin(_ broker: MosquittoBroker) -> Bool {
        let log = (try? String(contentsOfFile: broker.directory + "/mosquitto.log", encoding: .utf8)) ?? ""
        return log.contains("u'\(MosquittoBroker.username)'")
    }

    static func imRequests(_ simulator: SimulatorProcess) -> Int {
        ((try? simulator.control(["op": "im_received"]))?["count"] as? Int) ?? 0
    }

    struct Outcome {
        var smsTexts: [String]
        var imRequests: Int
        var log: String
    }

    /// How the box reaches the fake server.
    enum Transport {
        /// A WeCom robot over HTTPS.
        case wecom
        /// MQTT over TLS, with the fake server in the broker's place.
        case mqtt
    }

    /// Starts the simulator's fake WeCom server over TLS and the box with the robot or an
    /// MQTT uplink to it, presses the P1 key and collects what came out after the box had
    /// time to fall back.
    static func play(_ flaw: Flaw?, over transport: Transport = .wecom) async throws -> Outcome {
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "tls-fallback")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (served, trusted) = try makeCertificates(flaw, in: directory)
        let imConfiguration: [String: Any] = [
            "tls": true, "tls_certificate": served + ".pem", "tls_key": served + "-key.pem", "ports": ["wecom": 0],
            "robots": [["name": "duty", "api": "wecom", "key": robotKey]],
        ]
        try JSONSerialization.data(withJSONObject: imConfiguration).write(to: URL(fileURLWithPath: directory + "/im.json"))
        let simulator = try await SimulatorProcess.launch(["--gpio", "--im-config", directory + "/im.json"])
        defer { simulator.stop() }
        let servers = try simulator.control(["op": "im_servers"])["servers"] as? [[String: Any]] ?? []
        let port = try #require(servers.first { $0["api"] as? String == "wecom" }?["port"] as? Int)

        if transport == .mqtt {
            let uplink = try mqttSection(port: port, caFile: trusted, directory: directory)
            return try await pressP1(uplink: uplink, simulator: simulator, directory: directory)
        }
        try robotKey.write(toFile: directory + "/wecom-key", atomically: true, encoding: .utf8)
        chmod(directory + "/wecom-key", 0o600)
        let uplink = """
            [[im.robot]]
            name = "保卫处群"
            kind = "wecom"
            url = "https://127.0.0.1:\(port)"
            key_file = "\(directory)/wecom-key"
            groups = ["保卫处"]
            [uplink]
            clock = "assumed"
            ca_file = "\(trusted)"
            """
        guard flaw == nil else { return try await pressP1(uplink: uplink, simulator: simulator, directory: directory) }
        return try await pressP1(uplink: uplink, simulator: simulator, directory: directory) { _ in imRequests(simulator) > 0 }
    }

    /// Starts the box with `uplink` added to its configuration and a P1 key for the contact,
    /// presses the key and waits for the SMS. With `sent`, it waits until that condition holds
    /// for the box's log instead, and then 3 s more, in which an SMS fallback would go out.
    static func pressP1(
        uplink: String, simulator: SimulatorProcess, directory: String, sent: ((String) -> Bool)? = nil
    ) async throws -> Outcome {
        let config = try RunCommandTests.writeConfiguration(in: directory, simulator: simulator, extra: uplink)
        // A second input raises the P1, which tries IM first and falls back to SMS.
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "[annunciator]",
            with: "[[gpio.input]]\nrole = \"panic_2\"\ntemplate = \"fire-alarm\"\npriority = 1\naudience = [\"保卫处\"]\n[annunciator]")
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let (process, logPath) = try RunCommandTests.start(
            ["run", "--config", config, "--profiles", repositoryRoot + "/board/profiles"], directory: directory)
        defer { process.terminate() }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        #expect(try await RunCommandTests.eventually { log().contains("box ready") }, "the box started:\n\(log())")
        _ = try await RunCommandTests.eventually(.seconds(20)) { log().contains("modem.state=ready") }

        _ = try simulator.control(["op": "gpio_sequence", "role": "panic_2", "steps": [[true, 300], [false, 0]]])
        if let sent {
            _ = try await RunCommandTests.eventually { sent(log()) }
            try await Task.sleep(for: .seconds(3))
        } else {
            _ = try await RunCommandTests.eventually { try !simulator.receivedTexts(to: contact).isEmpty }
        }
        let outcome = Outcome(smsTexts: try simulator.receivedTexts(to: contact), imRequests: imRequests(simulator), log: log())
        process.terminate()
        _ = await RunCommandTests.waitForExit(process)
        return outcome
    }

    /// Makes the served certificate (`NAME.pem`, `NAME-key.pem`) and the CA file the box
    /// trusts, with `openssl`; returns their paths.
    static func makeCertificates(_ flaw: Flaw?, in directory: String) throws -> (served: String, trusted: String) {
        let served = directory + "/served"
        switch flaw {
        case nil:
            try selfSigned(served, name: "IP:127.0.0.1")
            return (served, served + ".pem")
        case .wrongCA:
            try selfSigned(served, name: "IP:127.0.0.1")
            try selfSigned(directory + "/other", name: "IP:127.0.0.1")
            return (served, directory + "/other.pem")
        case .wrongHost:
            try selfSigned(served, name: "DNS:wrong-host.example")
            return (served, served + ".pem")
        case .expired:
            // `openssl req` takes no start date, so `openssl ca -selfsign` signs the request
            // with its own key for one day in 2020.
            try MosquittoBroker.run(
                "/usr/bin/openssl",
                ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
                 "-keyout", served + "-key.pem", "-out", directory + "/served.csr"])
            try "".write(toFile: directory + "/index.txt", atomically: true, encoding: .utf8)
            try """
                [ca]
                default_ca = test
                [test]
                database = \(directory)/index.txt
                new_certs_dir = \(directory)
                serial = \(directory)/serial
                default_md = sha256
                policy = anything
                copy_extensions = none
                x509_extensions = extensions
                [anything]
                commonName = supplied
                [extensions]
                subjectAltName = IP:127.0.0.1
                basicConstraints = critical,CA:true
                """.write(toFile: directory + "/ca.cnf", atomically: true, encoding: .utf8)
            try "01\n".write(toFile: directory + "/serial", atomically: true, encoding: .utf8)
            try MosquittoBroker.run(
                "/usr/bin/openssl",
                ["ca", "-batch", "-selfsign", "-config", directory + "/ca.cnf", "-keyfile", served + "-key.pem", "-in", directory + "/served.csr",
                 "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-out", served + ".pem", "-notext"])
            return (served, served + ".pem")
        }
    }

    /// Makes a self-signed certificate whose only name is `name`, such as `IP:127.0.0.1`.
    static func selfSigned(_ path: String, name: String) throws {
        let commonName = String(name.drop { $0 != ":" }.dropFirst())
        try MosquittoBroker.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=" + commonName, "-addext", "subjectAltName=" + name, "-keyout", path + "-key.pem", "-out", path + ".pem"])
    }
}
