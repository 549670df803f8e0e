"""test/support/report.py — the PASS/FAIL lines and counts of a Python client suite
(test/interop/python_client.py, test/proxy/proxy_client.py); run.sh counts the lines."""


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print(f"PASS python {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL python {name} : {why}", flush=True)
