print("alertbox-sim")
