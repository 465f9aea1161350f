"""Decode and encode SMS PDUs with two independent libraries, for differential tests.

Usage: sms_oracle.py REQUEST.json REPLY.json   ("-" reads stdin or writes stdout)

The request contains a list of independent cases:

    {"cases": [
      {"id": "c1", "op": "decode", "pdu": "<hex, SMSC field included>"},
      {"id": "c2", "op": "encode", "number": "+8613800000001", "text": "...",
       "reference": 167, "status_report": false, "ucs2": false}
    ]}

The reply contains one result per case, in request order, with one answer
from each library:

    {"results": [{"id": "c1", "gammu": R, "gsmmodem": R}, ...]}

For "decode", R is {"error": "..."} or

    {"type": "submit" | "deliver" | "status_report",
     "number": str or null, "text": str or null,
     "coding": "gsm7" | "ucs2" | "8bit" | null,
     "concat": null or {"reference": int, "total": int, "sequence": int, "bits": 8 | 16},
     "smsc": str or null, "status": int or null, "message_reference": int or null}

"status" is TP-ST and "message_reference" is TP-MR. Neither exists in an
SMS-DELIVER, and a status report carries neither text nor coding here, so
those fields are null. 8-bit user data comes out as one character per octet
(U+0000 to U+00FF). "coding" may also name another library-specific coding,
such as gammu's "Default_Compression".

For "encode", R is {"error": "..."} or {"pdus": [{"hex": str, "tpdu_length": int}]}:
one SMS-SUBMIT per part, split the way the library splits long text. "hex" is
the whole PDU for AT+CMGS, with the SMSC field the library wrote, so the TPDU
is its last tpdu_length octets. Both libraries get the same settings:
TP-MR = reference, concatenation reference = reference (16-bit when it is
above 255), TP-SRR = status_report, relative validity of 4 days (TP-VP 0xAA),
no SMSC number, no message class. gammu is told to use UCS-2 when "ucs2" is
true, but gsmmodem has no such switch and chooses the alphabet from the text.

"reference" must be 0 to 65535. A case with a missing or invalid field gets
the same "invalid case" error from both libraries. An exception in one
library for one case becomes that library's {"error": "..."} for that case
and the run goes on. The process exits 0 after writing the reply, and 2 when
the request itself cannot be read.

Text in and out is Unicode, and UCS-2 user data is read as UTF-16, so a
surrogate pair comes out as one character such as an emoji. The oracle
removes two reporting artefacts so that they do not hide real differences:
it joins the surrogate halves that gsmmodem returns separately (a lone half
becomes U+FFFD, as in gammu), and it cuts gammu's GSM 7-bit text at the
first U+0000. python-gammu returns one code unit per septet, so each escape
sequence adds a unit read from past the end of the text: the U+0000
terminator, then stale memory.
"""

# Disagreements and bugs found by running both libraries on the same inputs
# (python-gammu 3.5.1 with its bundled libgammu 1.45.1, python-gsmmodem-new
# 0.13.0). Where a clause of 3GPP TS 23.038 or TS 23.040 is given, it shows
# which side is right.
#
# GSM 7-bit text
# - gsmmodem's basic table has '`' at 0x5F, where TS 23.038 §6.2.1 has '§'.
#   It sends '`' as 0x5F, which handsets show as '§', decodes a real '§' as
#   '`', and sends '§' as UCS-2. gammu is right.
# - gsmmodem's extension table maps 'ÿ' instead of form feed to 0x0A and
#   stores that code as an int. Any text containing 'ÿ' raises TypeError,
#   '\f' goes out as UCS-2, and a received page break (ESC 0x0A,
#   TS 23.038 §6.2.1.1) vanishes. gammu decodes it as '\f'.
# - An escape followed by a code missing from the extension table (such as
#   1B 41) shall show the basic-table character ('A'), and a second escape
#   (1B 1B) a space (TS 23.038 §6.2.1.1). gammu shows U+00B9 '¹' for the
#   escape and then the character. gsmmodem drops both septets, and raises
#   StopIteration when the escape is the last septet.
# - gsmmodem sends U+001B in the text as a raw escape septet, which turns
#   the next character into an extension lookup. gammu sends '?'.
# - gsmmodem drops an escape septet that is the first septet of a part after
#   a concatenation header, so an extension character there ('{', '€', form
#   feed) reads as the default-table character of its code ('(', 'e', LF).
#   TS 23.038 §6.2.1.1 makes the escape and its code one character; gammu
#   decodes these parts right. Found by the Swift differential tests.
# - gsmmodem drops a final '@' (septet 0x00) when the septets fill the last
#   octet exactly (8, 16, ... septets), although TP-UDL counts it
#   (TS 23.040 §9.2.3.16).
# - After a 16-bit concatenation header (UDHL 6, so no fill bits) gsmmodem
#   starts reading septets one octet late and loses the first character.
#   Its encoder would also write TP-UDL one short there, but it cannot send
#   that header at all (see the message reference below). With the 8-bit
#   header both libraries agree.
# - python-gammu returns GSM 7-bit text as one code unit per septet, so
#   each escape sequence adds a unit read from past the end of the decoded
#   text: U+0000, then stale memory. The oracle cuts the text at U+0000.
# - With "ucs2": false, gammu replaces characters outside the GSM 7-bit
#   alphabet with '?' or a look-alike ('ç' becomes 'c', 'ÿ' becomes 'y'),
#   where gsmmodem switches to UCS-2. In both alphabets gammu cuts the text
#   at the first U+0000.
#
# UCS-2 text
# - gsmmodem cannot send characters outside the BMP: encodeUcs2 writes each
#   code point as one 16-bit unit and raises ValueError ("byte must be in
#   range(0, 256)"). Its length checks and split also count code points,
#   not UTF-16 units. On decode it returns each surrogate half as its own
#   character, which the oracle joins. gammu writes surrogate pairs, never
#   splits one across parts, and fits 67 UTF-16 units per part (66 with a
#   16-bit reference).
# - gammu sends '~' (U+007E) in UCS-2 as U+0001 and "~~" as one '~'. When
#   decoding, it returns U+0001 as '~' and a received '~' as "~~", which
#   pushes the last character out of the text. Every other BMP character
#   round-trips through gammu. gsmmodem is right.
# - gammu rejects UCS-2 user data of odd length (ERR_CORRUPTED), while
#   gsmmodem drops the odd octet.
#
# Data coding and user data
# - gsmmodem reads the alphabet only from TP-DCS group 00xx and treats every
#   other group as GSM 7-bit, so 01xx (automatic deletion), 1110 (message
#   waiting, UCS-2) and 1111 with bit 2 set (8-bit data) decode wrongly
#   (TS 23.038 §4). gammu handles them.
# - gsmmodem reads 8-bit user data to the end of the PDU and ignores TP-UDL.
# - Both decode alphabet 11 of group 00xx, which TS 23.038 §4 marks
#   reserved, as 8-bit data.
#
# Message reference, validity and SMSC
# - gsmmodem uses `reference` both as TP-MR and as the concatenation
#   reference, so a reference above 255 raises ValueError, and the 16-bit
#   header it would then choose can never be sent. All parts also share one
#   TP-MR. gammu silently keeps the low octet of a TP-MR above 255.
# - python-gammu's Validity "NA" still writes a relative TP-VP of 0x00,
#   which means 5 minutes (TS 23.040 §9.2.3.12.1). Its week values are
#   wrong too: "5W" and "35D" both give 0xAB (5 days), where 5 weeks is
#   0xC5, so no TP-VP from 197 to 254 can be set through python-gammu. The
#   oracle uses "4D" (0xAA), which is encoded correctly.
# - For an empty SMSC gammu writes "0181" (length 1, type of address only)
#   where gsmmodem writes "00" (no address, so the modem uses its stored
#   SMSC). gsmmodem cannot decode a PDU starting with "0181": it reads the
#   rest of the PDU as the SMSC number.
# - Enhanced validity format (TP-VPF 01, TS 23.040 §9.2.3.12.3): gammu
#   rejects the PDU, and gsmmodem does not skip the 7 octets, so it returns
#   garbage text.
#
# Addresses
# - Semi-octets 1010 to 1110 are '*', '#', 'a', 'b' and 'c'
#   (TS 23.040 §9.1.2.3). gammu drops '*' and '#', returns an empty number
#   for 'a' to 'c', and encodes "*21#" as the garbage 0481FA31. gsmmodem
#   decodes them as the hex digits 'a' to 'e' and encodes "*21#" as an
#   alphanumeric address.
# - gammu ends an alphanumeric address at the first '@' (septet 0x00), so
#   "AL@RT" decodes as "AL". gsmmodem is right.
# - An empty address still has its type-of-address octet
#   (TS 23.040 §9.1.2.5). gsmmodem skips that octet and misreads the rest of
#   the PDU, and raises IndexError when asked to encode an empty number.
#   gammu handles both.
# - For a number without '+', gammu writes type of address 0x81 (unknown)
#   and gsmmodem 0xA1 (national), even for "8613800000001". Both are valid,
#   but the TPDUs differ.

import datetime
import json
import sys

import gammu
from gsmmodem import pdu as gsmmodem_pdu

VALIDITY_DAYS = 4
VALIDITY_GAMMU = "4D"  # python-gammu's string for TP-VP 0xAA (4 days)
SMSC_ADDRESS_OCTETS = 1  # the length octet in front of the SMSC address

GAMMU_TYPES = {"Submit": "submit", "Deliver": "deliver", "Status_Report": "status_report"}
GAMMU_CODINGS = {
    "Default_No_Compression": "gsm7",
    "Unicode_No_Compression": "ucs2",
    "8bit": "8bit",
}

GSMMODEM_TYPES = {
    "SMS-SUBMIT": "submit",
    "SMS-DELIVER": "deliver",
    "SMS-STATUS-REPORT": "status_report",
}
# Values returned by gsmmodem.pdu._decodeDataCoding: TP-DCS bits 3..2.
GSMMODEM_CODINGS = {0: "gsm7", 1: "8bit", 2: "ucs2", 3: "reserved"}

# gsmmodem.decodeSmsPdu does not return the alphabet it chose, so the oracle
# wraps the module's own TP-DCS parser and records what it returned.
_gsmmodem_decode_data_coding = gsmmodem_pdu._decodeDataCoding
_gsmmodem_last_coding = []


def _recording_decode_data_coding(octet):
    alphabet = _gsmmodem_decode_data_coding(octet)
    _gsmmodem_last_coding.append(alphabet)
    return alphabet


gsmmodem_pdu._decodeDataCoding = _recording_decode_data_coding


def describe(error):
    """Format an exception as 'Type: message' for an {"error": ...} result."""
    message = str(error)
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def utf16_text(text):
    """Join UTF-16 surrogate pairs that a library decoded as separate code points.

    A surrogate half without its partner becomes U+FFFD, so the result is
    valid Unicode that JSON parsers accept.
    """
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    units = text.encode("utf-16-be", "surrogatepass")
    return units.decode("utf-16-be", "replace")


def nonempty(value):
    return value if value else None


def decode_with_gammu(pdu_hex):
    sms = gammu.DecodePDU(bytes.fromhex(pdu_hex), True)

    kind = GAMMU_TYPES[sms["Type"]]
    coding = GAMMU_CODINGS.get(sms["Coding"], sms["Coding"])
    text = sms["Text"]
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    else:
        text = utf16_text(text)
    if coding == "gsm7":
        # python-gammu returns one code unit per septet, so each escape
        # sequence pulls in one unit from past the end of the text: the
        # U+0000 terminator, then stale buffer contents. GSM 7-bit text
        # never decodes to U+0000, so the text ends at the first one.
        text = text.split("\x00", 1)[0]

    udh = sms["UDH"]
    concat = None
    if udh["Type"] == "ConcatenatedMessages":
        concat = {"reference": udh["ID8bit"], "bits": 8}
    elif udh["Type"] == "ConcatenatedMessages16bit":
        concat = {"reference": udh["ID16bit"], "bits": 16}
    if concat is not None:
        concat.update(total=udh["AllParts"], sequence=udh["PartNumber"])

    # gammu fills Text with its own word for TP-ST ("Delivered", "Failed")
    # and DeliveryStatus with TP-ST itself.
    is_report = kind == "status_report"
    return {
        "type": kind,
        "number": nonempty(sms["Number"]),
        "text": None if is_report else text,
        "coding": None if is_report else coding,
        "concat": concat,
        "smsc": nonempty(sms["SMSC"]["Number"]),
        "status": sms["DeliveryStatus"] if is_report else None,
        "message_reference": None if kind == "deliver" else sms["MessageReference"],
    }


def decode_with_gsmmodem(pdu_hex):
    _gsmmodem_last_coding.clear()
    sms = gsmmodem_pdu.decodeSmsPdu(pdu_hex)

    kind = GSMMODEM_TYPES[sms["type"]]
    coding = None
    if _gsmmodem_last_coding:
        coding = GSMMODEM_CODINGS[_gsmmodem_last_coding[-1]]

    concat = None
    for element in sms.get("udh", []):
        if isinstance(element, gsmmodem_pdu.Concatenation):
            concat = {
                "reference": element.reference,
                "total": element.parts,
                "sequence": element.number,
                "bits": 8 if element.id == 0x00 else 16,
            }

    text = sms.get("text")
    return {
        "type": kind,
        "number": sms.get("number"),
        "text": None if text is None else utf16_text(text),
        "coding": coding,
        "concat": concat,
        "smsc": sms.get("smsc"),
        "status": sms.get("status"),
        "message_reference": sms.get("reference"),
    }


def set_concat_reference(udh_bytes, reference):
    """Return a copy of a UDH with each concatenation IE set to reference.

    gammu picks its own concatenation reference, and EncodePDU writes the raw
    UDH bytes rather than the ID8bit or ID16bit fields, so the bytes are
    patched. IEI 0x00 contains an 8-bit and IEI 0x08 a 16-bit reference
    (TS 23.040 §9.2.3.24.1 and §9.2.3.24.8).
    """
    udh = bytearray(udh_bytes)
    position = 1  # after the UDHL octet
    while position + 1 < len(udh):
        iei = udh[position]
        length = udh[position + 1]
        data = position + 2
        if iei == 0x00 and length == 3:
            udh[data] = reference & 0xFF
        elif iei == 0x08 and length == 4:
            udh[data] = (reference >> 8) & 0xFF
            udh[data + 1] = reference & 0xFF
        position = data + length
    return bytes(udh)


def encode_with_gammu(number, text, reference, status_report, ucs2):
    entry_id = "ConcatenatedTextLong16bit" if reference > 0xFF else "ConcatenatedTextLong"
    parts = gammu.EncodeSMS({
        "Class": -1,
        "Unicode": ucs2,
        "Entries": [{"ID": entry_id, "Buffer": text}],
    })

    pdus = []
    for sms in parts:
        sms["SMSC"]["Location"] = 0
        sms["SMSC"]["Number"] = ""
        sms["SMSC"]["Validity"] = VALIDITY_GAMMU
        sms["Number"] = number
        sms["MessageReference"] = reference
        # gammu sets TP-SRR when a message to send has type Status_Report.
        sms["Type"] = "Status_Report" if status_report else "Submit"
        sms["UDH"]["Text"] = set_concat_reference(sms["UDH"]["Text"], reference)

        data = gammu.EncodePDU(sms, "Submit")
        tpdu_length = len(data) - SMSC_ADDRESS_OCTETS - data[0]
        pdus.append({"hex": data.hex().upper(), "tpdu_length": tpdu_length})
    return {"pdus": pdus}


def encode_with_gsmmodem(number, text, reference, status_report, ucs2):
    del ucs2  # gsmmodem chooses GSM 7-bit or UCS-2 from the text alone
    parts = gsmmodem_pdu.encodeSmsSubmitPdu(
        number,
        text,
        reference=reference,
        validity=datetime.timedelta(days=VALIDITY_DAYS),
        requestStatusReport=status_report,
    )
    pdus = [{"hex": bytes(part.data).hex().upper(), "tpdu_length": part.tpduLength} for part in parts]
    return {"pdus": pdus}


def answer(function, *arguments):
    try:
        return function(*arguments)
    except Exception as error:  # one library failing on one case is a result
        return {"error": describe(error)}


def run_case(case):
    result = {"id": case.get("id") if isinstance(case, dict) else None}
    try:
        operation = case["op"]
        if operation == "decode":
            pdu_hex = case["pdu"].strip()
            result["gammu"] = answer(decode_with_gammu, pdu_hex)
            result["gsmmodem"] = answer(decode_with_gsmmodem, pdu_hex)
        elif operation == "encode":
            reference = int(case.get("reference", 0))
            if not 0 <= reference <= 0xFFFF:
                raise ValueError(f"invalid reference {reference}: expected 0 to 65535")
            arguments = (
                case["number"],
                case["text"],
                reference,
                bool(case.get("status_report", False)),
                bool(case.get("ucs2", False)),
            )
            result["gammu"] = answer(encode_with_gammu, *arguments)
            result["gsmmodem"] = answer(encode_with_gsmmodem, *arguments)
        else:
            raise ValueError(f"invalid op {operation!r}: expected 'decode' or 'encode'")
    except KeyError as error:
        invalid = {"error": f"invalid case: missing field {error}"}
        result["gammu"] = invalid
        result["gsmmodem"] = invalid
    except (TypeError, ValueError, AttributeError) as error:
        invalid = {"error": f"invalid case: {describe(error)}"}
        result["gammu"] = invalid
        result["gsmmodem"] = invalid
    return result


def read_request(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as request_file:
        return json.load(request_file)


def write_reply(path, reply):
    # ASCII-only JSON, because an id or error message can carry a lone
    # surrogate that no UTF-8 writer accepts.
    if path == "-":
        json.dump(reply, sys.stdout)
        sys.stdout.write("\n")
        return
    with open(path, "w", encoding="ascii") as reply_file:
        json.dump(reply, reply_file)


def main(argv):
    if len(argv) != 3:
        print("usage: sms_oracle.py REQUEST.json REPLY.json", file=sys.stderr)
        return 2

    try:
        request = read_request(argv[1])
        cases = request["cases"]
        if not isinstance(cases, list):
            raise TypeError("'cases' must be a list")
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"sms_oracle: failed to read request {argv[1]}: {describe(error)}", file=sys.stderr)
        return 2

    write_reply(argv[2], {"results": [run_case(case) for case in cases]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
