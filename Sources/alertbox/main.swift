// Entry point: parse arguments and run the requested command.
print("alertbox")
