# Jumpstarter's pytest base class against dutkit's exporter, run inside
# `dutkit shell --exporter-config exporter.yaml -- pytest ...` (interop/jumpstarter/pytest.test.ts).
import os
import tempfile

import pytest
from jumpstarter.client.core import DriverError
from jumpstarter_testing.pytest import JumpstarterTest


class TestDutkitExporter(JumpstarterTest):
    def test_power(self, client):
        client.power.on()
        client.power.off()
        readings = [(r.voltage, r.current) for r in client.power.read()]
        assert readings == [(0, 0), (5, 2)]

    def test_shell_output_and_exit_code(self, client, capfd):
        assert client.shell.hello("pytest") == 0
        assert client.shell.fail() == 3
        out, err = capfd.readouterr()
        assert out == "hello pytest\n"
        assert err == "about to fail\n"

    def test_shell_output_streams_while_the_method_runs(self, client):
        with tempfile.TemporaryDirectory() as scratch:
            mark = os.path.join(scratch, "mark")
            seen = []
            code = None
            for stdout, _stderr, returncode in client.shell.streamingcall("call_method", "wait_mark", {"MARK": mark}):
                if stdout:
                    seen.append(stdout)
                    if "one" in stdout and not os.path.exists(mark):
                        open(mark, "w").close()
                if returncode is not None:
                    code = returncode
            assert "".join(seen) == "one\ntwo-marked\n"
            assert code == 0

    def test_serial_pexpect_over_loop(self, client):
        with client.serial.pexpect() as console:
            console.sendline("ping dutkit")
            console.expect("ping dutkit", timeout=10)

    def test_a_missing_method_names_itself(self, client):
        with pytest.raises(DriverError, match="method nope not found on driver power"):
            client.power.call("nope")

    def test_extra_arguments_are_refused(self, client):
        with pytest.raises(DriverError, match=r"power\.on\(\) takes no arguments; got 1"):
            client.power.call("on", "extra")
