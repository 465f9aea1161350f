"""Drive a modem with python-gsmmodem-new and print what happened as JSON lines.

Usage: gsmmodem_client.py PORT CHINESE_TEXT GSM_TEXT DESTINATION

The script connects, lists the messages stored on the SIM (memory SM) in PDU
and in text mode, and reads each by index. It sends CHINESE_TEXT in PDU mode
and GSM_TEXT in text mode, and waits for the status report of each. Then it prints
{"event": "waiting"} and waits up to 20 s for one incoming message through the
library's callback, which reads the message and deletes it, and prints
{"event": "done", ...}. Any exception ends the script with
{"event": "error", ...} and exit status 1.

SimulatorTests/GsmModemTests.swift runs it against alertbox-sim.
"""

import json
import sys
import threading
import traceback

from gsmmodem.modem import GsmModem, SentSms


def emit(event, **fields):
    print(json.dumps(dict(event=event, **fields), ensure_ascii=False), flush=True)


def stored(modem, text_mode):
    modem.smsTextMode = text_mode
    return [
        {"number": message.number, "text": message.text, "index": message.index}
        for message in modem.listStoredSms(memory="SM")
    ]


def read(modem, index):
    message = modem.readStoredSms(index, memory="SM")
    return {"number": message.number, "text": message.text, "index": index}


def main():
    port, chinese_text, gsm_text, destination = sys.argv[1:5]
    received = []
    arrived = threading.Event()

    def on_sms(sms):
        received.append({"number": sms.number, "text": sms.text})
        arrived.set()

    modem = GsmModem(port, 115200, smsReceivedCallbackFunc=on_sms)
    modem.connect()
    try:
        emit(
            "connected",
            manufacturer=modem.manufacturer,
            model=modem.model,
            imei=modem.imei,
            imsi=modem.imsi,
            signal=modem.signalStrength,
            network=modem.networkName,
        )

        listed_pdu = stored(modem, False)
        listed_text = stored(modem, True)
        modem.smsTextMode = False
        emit(
            "stored",
            pdu=listed_pdu,
            text=listed_text,
            read=[read(modem, message["index"]) for message in listed_pdu],
        )

        sent = modem.sendSms(destination, chinese_text, waitForDeliveryReport=True, deliveryTimeout=15)
        emit(
            "sent",
            mode="pdu",
            reference=sent.reference,
            delivered=sent.status == SentSms.DELIVERED,
            report_number=sent.report.number if sent.report else None,
        )

        # Waiting for this report too keeps it from arriving while the incoming message
        # does: the library loses a URC that comes while it runs a command for another.
        modem.smsTextMode = True
        sent = modem.sendSms(destination, gsm_text, waitForDeliveryReport=True, deliveryTimeout=15)
        emit("sent", mode="text", reference=sent.reference, delivered=sent.status == SentSms.DELIVERED)
        modem.smsTextMode = False

        emit("waiting")
        if not arrived.wait(20):
            raise TimeoutError("no incoming message within 20 s")
        emit("done", received=received)
    finally:
        modem.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report every failure to the Swift test as JSON
        emit("error", error=repr(error), traceback=traceback.format_exc())
        sys.exit(1)
