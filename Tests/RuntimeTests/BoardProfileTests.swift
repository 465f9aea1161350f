import Hardware
import Runtime
import Testing

@Suite struct BoardProfileTests {
    @Test(arguments: ["rpi4-ec25", "rpi4-sim7600", "simulator"]) func shippedProfilesAreValid(name: String) throws {
        let profile = try BoardProfile.load(name, directories: [repositoryRoot + "/board/profiles"])
        #expect(profile.name == name)
        #expect(profile.gpioBackend == (name == "simulator" ? .bridge : .libgpiod))
        #expect(profile.modemDevice == (name == "simulator" ? "/tmp/alertbox-sim/modem0" : "/dev/alertbox-modem"))
        for role in ["panic_1", "test_key", "fire_panel", "led_status", "led_feedback", "siren"] {
            #expect(profile.lines.contains { $0.role == role }, "\(name) lacks \(role)")
        }
        // The example configuration's roles all exist on the board.
        let configuration = try BoxConfiguration.load(path: repositoryRoot + "/board/alertbox.example.toml")
        for input in configuration.panel.inputs {
            #expect(profile.lines.contains { $0.role == input.role && !$0.isOutput }, "\(name) lacks input \(input.role)")
        }
    }

    @Test func linesKeepTheirWiring() throws {
        let profile = try BoardProfile.load("rpi4-ec25", directories: [repositoryRoot + "/board/profiles"])
        let panic = try #require(profile.lines.first { $0.role == "panic_1" })
        #expect(panic.line == .name("GPIO17"))
        #expect(panic.activeLow)
        #expect(panic.direction == .input(bias: .pullUp, edges: true))
        let power = try #require(profile.lines.first { $0.role == "modem_power_enable" })
        #expect(power.direction == .output(initialActive: true))
    }

    @Test func mistakesAreListed() {
        let text = """
            [board]
            name = "x"
            [modem]
            baud = 115200
            [gpio]
            backend = "bridge"
            [[gpio.line]]
            role = "panic_1"
            direction = "sideways"
            offset = 3
            [[gpio.line]]
            role = "panic_1"
            direction = "input"
            """
        do {
            _ = try BoardProfile.parse(text, file: "x.toml")
            Issue.record("accepted")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.contains("modem.device: missing") })
            #expect(lines.contains { $0.contains("gpio.bridge_socket: missing") })
            #expect(lines.contains { $0.contains("gpio.line[1].direction: \"sideways\" is not a direction") })
            #expect(lines.contains { $0.contains("gpio.line[2].offset: missing") })
        }
        #expect(throws: ConfigError.self) { try BoardProfile.load("no-such-board", directories: ["/nonexistent"]) }
    }
}
