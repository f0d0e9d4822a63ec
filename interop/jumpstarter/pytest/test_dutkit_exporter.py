# Jumpstarter's pytest base class against dutkit's exporter, run inside
# `dutkit shell --exporter-config exporter.yaml -- pytest ...` (interop/jumpstarter/pytest.test.ts).
import hashlib
import os
import subprocess
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

    def test_storage_64_mib_up_down_and_tftp_hpa_gets_it(self, client, tmp_path):
        image = tmp_path / "image.bin"
        with open(image, "wb") as out:
            for block in range(64):
                out.write(hashlib.sha256(str(block).encode()).digest() * (1024 * 1024 // 32))
        expected = hashlib.sha256(image.read_bytes()).hexdigest()
        storage = client.tftp.storage
        storage.write_from_path("image.bin", str(image))
        info = storage.stat("image.bin")
        assert info.content_length == 64 * 1024 * 1024
        assert info.mode.entry_is_file and not info.mode.entry_is_dir
        back = tmp_path / "back.bin"
        storage.read_into_path("image.bin", str(back))
        assert hashlib.sha256(back.read_bytes()).hexdigest() == expected

        client.tftp.start()
        # Numbers cross the wire as protobuf Values (doubles): Jumpstarter's client gets 69.0 for 69
        # from any exporter, its own included.
        port = int(client.tftp.get_port())
        fetched = tmp_path / "fetched.bin"
        done = subprocess.run(
            ["tftp", "-m", "binary", client.tftp.get_host(), str(port), "-c", "get", "image.bin", str(fetched)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert hashlib.sha256(fetched.read_bytes()).hexdigest() == expected
