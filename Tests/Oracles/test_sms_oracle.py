"""Tests for sms_oracle.py against real PDU vectors, run through the command line."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sms_oracle.py")
LIBRARIES = ("gammu", "gsmmodem")

RECIPIENT = "+8613800000001"
SMSC = "+8613800000000"

# Real PDUs as (id, hex, type, number, text, concatenation).
DECODE_VECTORS = [
    ("deliver-gsm7",
     "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01",
     "deliver", RECIPIENT, "Test 1", None),
    ("deliver-ucs2",
     "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5",
     "deliver", RECIPIENT, "测试", None),
    ("deliver-part1-ref8",
     "0891683108000000F0440D91683108000000F10008421050800000230E050003A702017B2C4E0090E85206",
     "deliver", RECIPIENT, "第一部分", {"reference": 0xA7, "total": 2, "sequence": 1, "bits": 8}),
    ("deliver-part2-ref8",
     "0891683108000000F0440D91683108000000F10008421050800000230E050003A702027B2C4E8C90E85206",
     "deliver", RECIPIENT, "第二部分", {"reference": 0xA7, "total": 2, "sequence": 2, "bits": 8}),
    ("deliver-part1-ref16",
     "0891683108000000F0440D91683108000000F100084210508000002309060804123402014E00",
     "deliver", RECIPIENT, "一", {"reference": 0x1234, "total": 2, "sequence": 1, "bits": 16}),
    ("deliver-alphanumeric",
     "0891683108000000F00409D04166514A0500004210508000002302C834",
     "deliver", "ALERT", "Hi", None),
    ("submit-gsm7",
     "0011000D91683108000000F10000AA04D4F29C0E",
     "submit", RECIPIENT, "Test", None),
    ("submit-report-requested",
     "0031000D91683108000000F20000AA04D4F29C0E",
     "submit", "+8613800000002", "Test", None),
    ("submit-ucs2",
     "0011000D91683108000000F10008AA04706B8B66",
     "submit", RECIPIENT, "火警", None),
]

STATUS_REPORT = "0891683108000000F006110D91683108000000F2421050800000234210508000002300"


def run_oracle(cases):
    """Run the oracle through its command line and return its results by id."""
    with tempfile.TemporaryDirectory() as directory:
        request_path = os.path.join(directory, "request.json")
        reply_path = os.path.join(directory, "reply.json")
        with open(request_path, "w", encoding="utf-8") as request_file:
            json.dump({"cases": cases}, request_file, ensure_ascii=False)

        subprocess.run([sys.executable, ORACLE, request_path, reply_path], check=True)

        with open(reply_path, encoding="utf-8") as reply_file:
            results = json.load(reply_file)["results"]
    return {result["id"]: result for result in results}


def encode_case(case_id, text, reference=0, status_report=False, ucs2=False):
    return {
        "id": case_id,
        "op": "encode",
        "number": RECIPIENT,
        "text": text,
        "reference": reference,
        "status_report": status_report,
        "ucs2": ucs2,
    }


def tpdus(answer):
    """Return the TPDU hex of each part, without the SMSC field."""
    return [part["hex"][-2 * part["tpdu_length"]:] for part in answer["pdus"]]


class DecodeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cases = [{"id": vector[0], "op": "decode", "pdu": vector[1]} for vector in DECODE_VECTORS]
        cases.append({"id": "status-report", "op": "decode", "pdu": STATUS_REPORT})
        cls.results = run_oracle(cases)

    def test_vectors_decode_in_both_libraries(self):
        for case_id, _, kind, number, text, concat in DECODE_VECTORS:
            for library in LIBRARIES:
                with self.subTest(case=case_id, library=library):
                    answer = self.results[case_id][library]
                    self.assertNotIn("error", answer)
                    self.assertEqual(answer["type"], kind)
                    self.assertEqual(answer["number"], number)
                    self.assertEqual(answer["text"], text)
                    self.assertEqual(answer["concat"], concat)

    def test_deliver_reports_smsc(self):
        for library in LIBRARIES:
            with self.subTest(library=library):
                self.assertEqual(self.results["deliver-gsm7"][library]["smsc"], SMSC)

    def test_coding_names(self):
        expected = {"deliver-gsm7": "gsm7", "deliver-ucs2": "ucs2", "submit-ucs2": "ucs2"}
        for case_id, coding in expected.items():
            for library in LIBRARIES:
                with self.subTest(case=case_id, library=library):
                    self.assertEqual(self.results[case_id][library]["coding"], coding)

    def test_status_report_fields(self):
        for library in LIBRARIES:
            with self.subTest(library=library):
                answer = self.results["status-report"][library]
                self.assertEqual(answer["type"], "status_report")
                self.assertEqual(answer["number"], "+8613800000002")
                self.assertEqual(answer["message_reference"], 17)
                self.assertEqual(answer["status"], 0)
                self.assertIsNone(answer["text"])


class EncodeTests(unittest.TestCase):
    def test_submit_vectors(self):
        results = run_oracle([
            encode_case("gsm7", "Test"),
            encode_case("ucs2", "火警", ucs2=True),
            encode_case("report", "Test", status_report=True),
        ])
        expected = {
            "gsm7": "11000D91683108000000F10000AA04D4F29C0E",
            "ucs2": "11000D91683108000000F10008AA04706B8B66",
            "report": "31000D91683108000000F10000AA04D4F29C0E",
        }
        for case_id, tpdu in expected.items():
            for library in LIBRARIES:
                with self.subTest(case=case_id, library=library):
                    self.assertEqual(tpdus(results[case_id][library]), [tpdu])

    def test_encode_keeps_library_smsc_field(self):
        results = run_oracle([encode_case("gsm7", "Test")])
        self.assertTrue(results["gsm7"]["gammu"]["pdus"][0]["hex"].startswith("0181"))
        self.assertTrue(results["gsm7"]["gsmmodem"]["pdus"][0]["hex"].startswith("00"))

    def test_long_gsm7_splits_153_and_8(self):
        # 159 'a' and one extension character are 161 septets.
        results = run_oracle([encode_case("long", "a" * 159 + "€", reference=0xA7)])
        for library in LIBRARIES:
            with self.subTest(library=library):
                parts = tpdus(results["long"][library])
                self.assertEqual(len(parts), 2)
                self.assertEqual(parts[0][28:40], "A0050003A702")
                self.assertEqual(parts[1][28:40], "0F050003A702")

    def test_gammu_never_splits_surrogate_pair(self):
        text = "警" * 66 + "😀" + "警" * 10
        results = run_oracle([encode_case("emoji", text, reference=0xA7, ucs2=True)])
        parts = tpdus(results["emoji"]["gammu"])
        self.assertEqual(len(parts), 2)
        # TP-UDL: 6 header octets plus 66 and 12 UTF-16 units.
        self.assertEqual(parts[0][28:30], "8A")
        self.assertEqual(parts[1][28:30], "1E")

    def test_gammu_uses_16bit_reference_above_255(self):
        results = run_oracle([encode_case("ref16", "x" * 200, reference=0x1234)])
        parts = tpdus(results["ref16"]["gammu"])
        self.assertEqual(parts[0][30:42], "060804123402")

    def test_gsmmodem_rejects_astral_characters(self):
        results = run_oracle([encode_case("emoji", "🔥", ucs2=True)])
        self.assertIn("error", results["emoji"]["gsmmodem"])
        self.assertEqual(tpdus(results["emoji"]["gammu"]), ["11000D91683108000000F10008AA04D83DDD25"])


class ProtocolTests(unittest.TestCase):
    def test_emoji_round_trips_through_both_decoders(self):
        pdu = "0891683108000000F0040D91683108000000F100084210508000002308D83DDD25706B8B66"
        results = run_oracle([{"id": "emoji", "op": "decode", "pdu": pdu}])
        for library in LIBRARIES:
            with self.subTest(library=library):
                self.assertEqual(results["emoji"][library]["text"], "🔥火警")

    def test_extension_characters_leave_no_nul(self):
        # 79 euro signs are 158 septets: one part, 79 escape sequences.
        long_text = "€" * 79
        encoded = run_oracle([encode_case("long", long_text)])["long"]["gsmmodem"]
        cases = [
            {"id": "short", "op": "decode", "pdu": "0011000D91683108000000F10000AA06C14D79531602"},
            {"id": "long", "op": "decode", "pdu": encoded["pdus"][0]["hex"]},
        ]

        results = run_oracle(cases)

        for library in LIBRARIES:
            with self.subTest(library=library):
                self.assertEqual(results["short"][library]["text"], "A€€B")
                self.assertEqual(results["long"][library]["text"], long_text)

    def test_bad_cases_do_not_stop_the_run(self):
        results = run_oracle([
            {"id": "not-hex", "op": "decode", "pdu": "zz"},
            {"id": "truncated", "op": "decode", "pdu": "0891683108000000F004"},
            {"id": "unknown-op", "op": "transcode"},
            {"id": "missing-text", "op": "encode", "number": RECIPIENT},
            encode_case("bad-reference", "Hi", reference=70000),
            encode_case("fine", "Test"),
        ])
        for case_id in ("not-hex", "truncated", "unknown-op", "missing-text", "bad-reference"):
            for library in LIBRARIES:
                with self.subTest(case=case_id, library=library):
                    self.assertIn("error", results[case_id][library])
        self.assertIn("pdus", results["fine"]["gammu"])
        self.assertIn("pdus", results["fine"]["gsmmodem"])

    def test_thousands_of_cases_in_seconds(self):
        cases = []
        for index in range(2000):
            vector = DECODE_VECTORS[index % len(DECODE_VECTORS)]
            cases.append({"id": f"d{index}", "op": "decode", "pdu": vector[1]})
            cases.append(encode_case(f"e{index}", "火警" * (index % 60), reference=index % 256, ucs2=True))

        started = time.monotonic()
        results = run_oracle(cases)
        elapsed = time.monotonic() - started

        self.assertEqual(len(results), 4000)
        self.assertLess(elapsed, 10.0)


if __name__ == "__main__":
    unittest.main()
