// gpiod-check: exercises LibgpiodLines against a gpio-sim chip and prints one PASS or FAIL
// line per check, then "gpiod-check: N passed, M failed".
//
// It needs root, configfs mounted at /sys/kernel/config and the gpio-sim module loaded;
// scripts/gpio-sim-check boots a virtual machine that provides them and runs it there.
// The tool creates the simulated chip itself, so that it can build the chip's sysfs paths.

import Core
import Glibc
import Hardware

let checks = CheckRecorder()
let chip: SimulatedChip
do {
    chip = try SimulatedChip.create(name: "alertbox", label: "alertbox-test", lineNames: SimulatedChip.boardLineNames)
} catch {
    print("FAIL gpio-sim setup: \(error)")
    print("gpiod-check: 0 passed, 1 failed")
    exit(1)
}
print("gpio-sim chip \(chip.chipName) on \(chip.deviceName), label \(chip.label)")

await runLookupChecks(chip: chip, checks: checks)
await runBiasAndValueChecks(chip: chip, checks: checks)
await runOutputChecks(chip: chip, checks: checks)
await runEdgeChecks(chip: chip, checks: checks)
await runErrorChecks(chip: chip, checks: checks)
await runCloseChecks(chip: chip, checks: checks)
await runChipRemovalCheck(checks: checks)

print("gpiod-check: \(checks.passed) passed, \(checks.failed) failed")
exit(checks.failed == 0 ? 0 : 1)
