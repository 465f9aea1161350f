// swift-tools-version: 6.0
//
// AlertBox: the runtime of an on-site alert box. The module layout follows the architecture:
// pure cores (SMS, ATProtocol) with no I/O, and I/O modules around them. System C libraries
// come from Debian as system-library targets; the package depends on no outside Swift package.

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The fuzz executables, one per kind of untrusted input; see Fuzz/FuzzTargets.
let fuzzExecutables: [Target] = ["PDUFuzz", "ATFuzz", "CAPFuzz", "CSVFuzz", "ConsoleFuzz", "MQTTFuzz", "SMSCommandFuzz", "TOMLFuzz"].map {
    .executableTarget(name: $0, dependencies: ["FuzzTargets"], path: "Fuzz/\($0)", swiftSettings: strictSettings)
}

let package = Package(
    name: "AlertBox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alertbox", targets: ["alertbox"]),
        .executable(name: "alertbox-sim", targets: ["alertbox-sim"]),
    ],
    targets: [
        // Logger, clocks and privacy helpers shared by every module.
        .target(name: "Core", swiftSettings: strictSettings),

        // GSM 03.38 and UCS-2 text, segmentation, PDUs, reassembly, phone numbers. Pure.
        .target(name: "SMS", dependencies: ["Core"], swiftSettings: strictSettings),

        // AT line framing, result codes, URCs, typed parsers and formatters. Pure.
        .target(name: "ATProtocol", swiftSettings: strictSettings),

        // Typed wrappers of file descriptors, terminals and pseudo-terminals; later serial
        // ports and GPIO lines.
        .target(name: "Hardware", dependencies: ["CPosix", "CGPIOD", "Core"], swiftSettings: strictSettings),

        // SQLite 3 from Debian (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // SQLite connection, migrations and repositories for everything the box must not lose.
        .target(name: "Storage", dependencies: ["CSQLite", "Core", "Hardware", "SMS"], swiftSettings: strictSettings),

        // C wrappers of POSIX calls that Swift's Glibc module does not expose.
        .target(name: "CPosix"),

        // The modem driver: AT engine, lifecycle, monitoring, SMS send and receive, recovery.
        .target(name: "Modem", dependencies: ["Core", "SMS", "ATProtocol", "Hardware"], swiftSettings: strictSettings),

        // Alerts shaped like CAP 1.2: the model, a CAP parser that is safe by construction,
        // priorities, and the templates that render alerts into SMS and IM texts.
        .target(name: "Alerting", dependencies: ["Core", "SMS"], swiftSettings: strictSettings),

        // The scheduler: planning, priority queues, SMS budget and IM rate limits. Pure cores
        // with an actor around them.
        .target(name: "Scheduler", dependencies: ["Core", "Alerting", "SMS", "Storage", "Modem", "ATProtocol"], swiftSettings: strictSettings),

        // libgpiod 1.6 from Debian (libgpiod-dev) for the board's GPIO lines.
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),

        // The box on site without a network: buttons and dry contacts that raise alerts, status
        // LEDs and the siren, feedback to whoever pressed, and commands by SMS.
        .target(
            name: "LocalControl", dependencies: ["Core", "Hardware", "Alerting", "Scheduler", "Storage", "SMS", "Modem", "CCrypto"],
            swiftSettings: strictSettings),

        // libcurl and libcrypto from Debian (libcurl4-openssl-dev, libssl-dev) for the IM uplink.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libmosquitto from Debian (libmosquitto-dev, 2.0.11 on bookworm) for the MQTT uplink.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // The HTTP side of the IM uplink: signatures, request builders for WeCom, DingTalk,
        // Feishu and signed webhooks, response classification and a libcurl client; and the
        // MQTT side: a libmosquitto connection, the MQTT delivery channel and signed inbound alerts.
        .target(
            name: "Uplink", dependencies: ["CCurl", "CCrypto", "CMosquitto", "Core", "Hardware", "Alerting", "Scheduler"],
            swiftSettings: strictSettings),

        // The `alertbox` runtime: the configuration file, board profiles, wiring of every
        // module, start and stop in order, and the systemd watchdog.
        .target(
            name: "Runtime",
            dependencies: ["Core", "SMS", "Hardware", "Modem", "Storage", "Alerting", "Scheduler", "Uplink", "LocalControl", "Console"],
            swiftSettings: strictSettings),

        // libssl from Debian (libssl-dev), for the TLS side of the simulator's fake IM servers.
        .systemLibrary(name: "CSSL", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),

        // The serial console and the local socket: line editing, login, roles, and the
        // command interpreter in Chinese and English.
        .target(
            name: "Console",
            dependencies: ["CCrypto", "Core", "Hardware", "Storage", "Alerting", "Scheduler", "LocalControl", "Modem", "ATProtocol", "SMS"],
            swiftSettings: strictSettings),

        // The `alertbox` command tree: argument parsing, validation, help and subcommands.
        .target(name: "CLI", dependencies: ["Core", "SMS", "Modem", "Hardware"], swiftSettings: strictSettings),

        .executableTarget(name: "alertbox", dependencies: ["CLI", "Runtime"], swiftSettings: strictSettings),

        // The simulator: modems on pseudo-terminals, the carrier behind them, faults, replay and
        // a control socket, so that every behaviour of the box runs without hardware.
        .target(
            name: "ModemSimulator", dependencies: ["Core", "SMS", "ATProtocol", "Hardware", "IMFakes", "NetFaults"],
            path: "simulator/Sources/ModemSimulator", swiftSettings: strictSettings),
        // Network faults for tests and the simulator: a loopback TCP proxy that can refuse or
        // silently drop traffic.
        .target(name: "NetFaults", dependencies: ["Core"], path: "simulator/Sources/NetFaults", swiftSettings: strictSettings),
        // Fake WeCom, DingTalk, Feishu and signed-webhook servers on 127.0.0.1 that check
        // what the real services check. They verify signatures with their own HMAC call, so
        // they do not depend on Uplink, whose signing they test.
        .target(
            name: "IMFakes", dependencies: ["Core", "Hardware", "CCrypto", "CSSL"], path: "simulator/Sources/IMFakes",
            swiftSettings: strictSettings),
        // Scenarios: a timeline played against a real `alertbox` child process, the simulator
        // and a mosquitto broker, checked from outside and reported for a person to follow.
        .target(
            name: "Scenarios", dependencies: ["Core", "ModemSimulator", "IMFakes", "CSQLite"], path: "simulator/Sources/Scenarios",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "alertbox-sim", dependencies: ["ModemSimulator", "Scenarios"], path: "simulator/Sources/alertbox-sim",
            swiftSettings: strictSettings),

        // Throughput and CPU cost of the modem driver against the simulator; `make bench` runs it.
        .executableTarget(
            name: "alertbox-bench", dependencies: ["Modem", "SMS", "Core"], path: "Benchmarks/alertbox-bench",
            swiftSettings: strictSettings),

        // Planning and next-send figures of the scheduler; `make bench` runs it.
        .executableTarget(
            name: "scheduler-bench", dependencies: ["Scheduler", "Alerting", "Storage", "Core"], path: "Benchmarks/scheduler-bench",
            swiftSettings: strictSettings),

        // How fast the uplink monitor notices a blackholed or refusing broker or endpoint.
        .executableTarget(
            name: "uplink-bench", dependencies: ["Uplink", "NetFaults", "TestSupport", "Scheduler", "Storage", "Core"],
            path: "Benchmarks/uplink-bench", swiftSettings: strictSettings),

        // Fuzzing: one executable per kind of untrusted input, all calling the checks in
        // FuzzTargets. `scripts/fuzz` builds them with -sanitize=fuzzer into .build-fuzz; an
        // ordinary build makes them replay saved inputs. CLibFuzzer declares libFuzzer's driver.
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(
            name: "FuzzTargets",
            dependencies: ["CLibFuzzer", "Core", "SMS", "ATProtocol", "Alerting", "Storage", "Console", "Uplink", "LocalControl", "Runtime"],
            path: "Fuzz/FuzzTargets", swiftSettings: strictSettings),
    ] + fuzzExecutables + [
        .testTarget(
            name: "ModemTests", dependencies: ["Modem", "ModemSimulator", "TestSupport", "ATProtocol", "SMS", "Hardware", "Core"],
            swiftSettings: strictSettings),
        // A worker the storage crash-safety test kills at random, and the storage benchmark.
        .executableTarget(
            name: "storage-torture", dependencies: ["Storage", "Core"], path: "Tools/StorageTorture",
            swiftSettings: strictSettings),
        // Checks LibgpiodLines against a gpio-sim chip inside the virtual machine that
        // scripts/gpio-sim-check boots; it needs root, configfs and the gpio-sim module.
        .executableTarget(
            name: "gpiod-check", dependencies: ["Hardware", "Core"], path: "Tools/GPIODCheck", swiftSettings: strictSettings),
        .testTarget(name: "HardwareTests", dependencies: ["Hardware", "Core"], swiftSettings: strictSettings),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Core", "IMFakes"], swiftSettings: strictSettings),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "Core", "SMS"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "SchedulerTests", dependencies: ["Scheduler", "Alerting", "Storage", "Modem", "SMS", "TestSupport", "Core"],
            swiftSettings: strictSettings),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: strictSettings),
        // Servers/ contains the loopback HTTP and TLS server that the client tests start.
        .testTarget(
            name: "UplinkTests", dependencies: ["Uplink", "Alerting", "Scheduler", "Storage", "Hardware", "Core", "IMFakes"], exclude: ["Servers"],
            swiftSettings: strictSettings),
        // Tests against a real mosquitto broker that the harness starts on loopback.
        .testTarget(
            name: "MQTTTests", dependencies: ["Uplink", "NetFaults", "IMFakes", "TestSupport", "Alerting", "Scheduler", "Storage", "Core"], swiftSettings: strictSettings),
        .testTarget(
            name: "IMFakesTests", dependencies: ["IMFakes", "Uplink", "Alerting", "Scheduler", "Storage", "Modem", "Hardware", "Core", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "LocalControlTests",
            dependencies: ["LocalControl", "Hardware", "Alerting", "Scheduler", "Storage", "Modem", "SMS", "Core", "TestSupport", "ModemSimulator"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RuntimeTests", dependencies: ["Runtime", "Core", "Hardware", "LocalControl", "Alerting", "Scheduler", "TestSupport", "IMFakes"],
            swiftSettings: strictSettings),
        .testTarget(name: "SMSTests", dependencies: ["SMS", "IMFakes", "TestSupport"], swiftSettings: strictSettings),
        // Replays every fuzz corpus and saved crash in Fuzz/ through FuzzTargets.
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"], swiftSettings: strictSettings),
        .testTarget(name: "ATProtocolTests", dependencies: ["ATProtocol"], swiftSettings: strictSettings),
        // Clients/ contains scripts that drive outside SMS clients for the tests.
        .testTarget(
            name: "SimulatorTests", dependencies: ["ModemSimulator", "ATProtocol", "SMS", "Hardware", "Core", "IMFakes"],
            exclude: ["Clients"], swiftSettings: strictSettings),
        .testTarget(
            name: "CLITests", dependencies: ["CLI", "SMS", "ModemSimulator", "TestSupport", "IMFakes"], exclude: ["Help"], swiftSettings: strictSettings),
        // The simulator's GPIO bridge end to end through GPIOBridgeLines, and its pure core.
        .testTarget(
            name: "GPIOBridgeTests", dependencies: ["Hardware", "ModemSimulator", "TestSupport", "Core"], swiftSettings: strictSettings),
        // Help/ contains the console's help texts, asserted word for word.
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["Console", "Hardware", "Storage", "Scheduler", "Alerting", "Modem", "Core", "TestSupport", "ModemSimulator"],
            exclude: ["Help"], swiftSettings: strictSettings),
        // Every scenario end to end: alertbox-sim scenario with the real alertbox and mosquitto.
        .testTarget(name: "ScenarioTests", dependencies: ["Scenarios", "Core", "IMFakes"], swiftSettings: strictSettings),
        // Helpers shared by test targets: a running alertbox-sim child process.
        .target(name: "TestSupport", dependencies: ["ModemSimulator", "Scenarios", "IMFakes"], path: "Tests/TestSupport", swiftSettings: strictSettings),
    ]
)
