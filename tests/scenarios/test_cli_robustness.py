"""The command line under hostile input (issue 10, class 9): every mistake a user can make is
one line on stderr with its documented exit code (``lambda_core._cli.EXIT_CODES``), never a
traceback; ``validate`` refuses whatever ``run`` would refuse before simulating; a closed
pipe, a full disk, a closed stdout, Ctrl-C and an ASCII terminal are handled as Unix tools
handle them. Most cases run ``python -m lambda_core`` in a subprocess, as a user would."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lambda_core import _cli
from lambda_core._cli import EXIT_CODES, main
from lambda_core._report import printable
from lambda_core.errors import ScenarioError
from lambda_core.scenarios import MAX_GENERATED_ROWS, Duration, load_scenario, parse_scenario
from lambda_core.scenarios._parse import MAX_SCENARIO_BYTES

TINY = """
name = "tiny"
[[functions]]
name = "f"
[functions.workload]
arrivals = "poisson"
rate_per_s = 5
end_s = 10
duration = {dist = "fixed", s = 0.1}
"""

STREAM = """
name = "stream"
[[functions]]
name = "f"
[[streams]]
name = "s"
kind = "kinesis"
shards = 2
[streams.records]
arrivals = "poisson"
rate_per_s = RATE
end_s = 10
[[mappings]]
source = "s"
function = "f"
"""


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
        input: str | None = None, encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
    """``python -m lambda_core ARGS`` in a subprocess (text, captured)."""
    return subprocess.run([sys.executable, "-m", "lambda_core", *args], capture_output=True,
                          encoding=encoding, timeout=timeout, env={**os.environ, **(env or {})},
                          input=input)


def assert_input_error(run: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 1, one line on stderr (``error: ...``) holding each fragment, no traceback."""
    assert run.returncode == EXIT_CODES["input error"] == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert run.stdout == ""


def assert_usage_error(run: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2 and argparse's form: the usage, then one ``lambda-core run: error:`` line."""
    assert run.returncode == EXIT_CODES["usage error"] == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("usage: lambda-core run")
    errors = [line for line in run.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("lambda-core run: error: argument ")
    for fragment in fragments:
        assert fragment in errors[0]


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Options: usage errors (2)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [str(2**64), str(10**40), "-1", "1.5", "2**64"])
def test_a_bad_seed_is_a_usage_error(tmp_path, seed):
    assert_usage_error(cli("run", str(write(tmp_path, TINY)), "--seed", seed, "-q"), "--seed")


def test_the_largest_seed_runs(tmp_path):
    run = cli("run", str(write(tmp_path, TINY)), "--seed", str(2**64 - 1), "-q")
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("until", ["1e300", "9000000001", "inf", "nan", "0", "-3", "soon"])
def test_a_bad_until_is_a_usage_error(tmp_path, until):
    run = cli("run", str(write(tmp_path, TINY)), "--until", until, "-q")
    # the user's text, not one of the command line's internal steps
    assert_usage_error(run, "--until", until)


# ---------------------------------------------------------------------------------------------
# Files: what is not a scenario file (1), before it is read
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused_without_reading_it(command, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    started = time.monotonic()
    run = cli(command, device, timeout=30)
    assert_input_error(run, f"'{device}' is a device, not a scenario file")
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_directory_is_refused(tmp_path, command):
    assert_input_error(cli(command, str(tmp_path)), "is a directory, not a scenario file")


def test_a_missing_file(tmp_path):
    assert_input_error(cli("validate", str(tmp_path / "nope.toml")),
                       "cannot read scenario file", "No such file or directory")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.toml"
    with open(big, "wb") as file:  # sparse: costs no disk
        file.truncate(MAX_SCENARIO_BYTES + 1)
    assert_input_error(cli("validate", str(big)), "too large for a scenario file",
                       f"got {MAX_SCENARIO_BYTES + 1} bytes")
    with open(big, "wb") as file:
        file.truncate(MAX_SCENARIO_BYTES)  # at the limit: read, then refused as TOML
    assert_input_error(cli("validate", str(big)), "TOML syntax error")


def test_an_endless_pipe_is_read_up_to_the_limit(tmp_path):
    """A pipe has no size to check first: it is read up to the limit and no further."""
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    chunk = b"# " + b"x" * 65534

    def writer() -> None:
        try:
            with open(fifo, "wb") as out:
                while True:
                    out.write(chunk)
        except (BrokenPipeError, OSError):
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    with pytest.raises(ScenarioError, match="too large for a scenario file"):
        load_scenario(fifo)
    thread.join(10)
    assert not thread.is_alive()


def test_a_scenario_from_a_pipe_still_runs(tmp_path):
    run = cli("validate", "/dev/stdin", input=TINY)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_byte_order_mark_is_accepted(tmp_path, command):
    plain = write(tmp_path, TINY, "plain.toml")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    assert load_scenario(bom) == load_scenario(plain)
    assert parse_scenario("\ufeff" + TINY) == parse_scenario(TINY)
    run = cli(command, str(bom), "-q") if command == "run" else cli(command, str(bom))
    assert run.returncode == 0, run.stderr


def test_a_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(TINY.replace('"tiny"', '"caf\xe9"').encode("latin-1"))
    assert_input_error(cli("validate", str(bad)), "not UTF-8 text", "at byte")


def test_toml_nested_too_deeply(tmp_path):
    assert_input_error(cli("validate", str(write(tmp_path, "a = " + "[" * 100_000))),
                       "TOML syntax error", "nested too deeply")


# ---------------------------------------------------------------------------------------------
# validate refuses what run refuses (1, the same line), before anything is generated
# ---------------------------------------------------------------------------------------------

WORKLOAD_RATE = TINY.replace("rate_per_s = 5", "rate_per_s = RATE")
BURSTY = TINY.replace('arrivals = "poisson"\nrate_per_s = 5\nend_s = 10',
                      'arrivals = "bursty"\nbursts = [{at_s = 1, count = COUNT}]')

TWO_FUNCTIONS = """
[[functions]]
name = "g"
[functions.workload]
arrivals = "poisson"
rate_per_s = 6e7
end_s = 10
duration = {dist = "fixed", s = 0.1}
"""

REFUSED = {
    "rate 1e300": (WORKLOAD_RATE.replace("RATE", "1e300"), "about 1e+301 rows"),
    "10^12 requests": (WORKLOAD_RATE.replace("RATE", "1e11"), "about 1e+12 rows"),
    "a burst of 10^12": (BURSTY.replace("COUNT", str(10**12)), "about 1e+12 rows"),
    "a burst past int64": (BURSTY.replace("COUNT", str(10**30)), "about 1e+30 rows"),
    "10^12 records": (STREAM.replace("RATE", "1e11"), "about 1e+12 rows"),
    "over the limit in all": (
        TINY.replace("rate_per_s = 5", "rate_per_s = 6e7") + TWO_FUNCTIONS,
        "about 1.2e+09 requests and records in all"),
    "a seed past 2**64": ("seed = 18446744073709551616\n" + TINY, "'seed'"),
    "until past 9e9 s": ("until = 1e300\n" + TINY, "'until'"),
    "end_s past 9e9 s": (TINY.replace("end_s = 10", "end_s = 1e10").replace(
        "rate_per_s = 5", "rate_per_s = 1e-9"), "'end_s'"),
    "a duration past 9e9 s": (TINY.replace("s = 0.1", "s = 1e10"), "'s' in 'duration'"),
    "a burst past 9e9 s": (BURSTY.replace("COUNT", "1").replace("at_s = 1", "at_s = 8e9, over_s = 2e9"),
                           "after lambda_core's limit"),
    "keys past int64": (STREAM.replace("RATE", "1").replace("end_s = 10", f"end_s = 10\nkeys = {2**64}"),
                        "'keys'"),
    "failures past the engine's": (
        STREAM.replace("RATE", "1").replace("end_s = 10", f"end_s = 10\nfailure_rate = 0.5\nfailures = {2**40}"),
        "'failures'"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_validate_refuses_what_run_refuses(tmp_path, case):
    text, fragment = REFUSED[case]
    path = write(tmp_path, text)
    started = time.monotonic()
    validated = cli("validate", str(path))
    ran = cli("run", str(path), "-q")
    assert_input_error(validated, fragment)
    assert_input_error(ran, fragment)
    assert validated.stderr == ran.stderr
    assert time.monotonic() - started < 30  # nothing was generated


def test_a_generator_built_in_python_checks_the_limit_too():
    from lambda_core.scenarios import Burst, RecordsSpec, WorkloadSpec

    huge = WorkloadSpec("poisson", Duration("fixed", 0.1), rate_per_s=1e300, end_s=10)
    with pytest.raises(ScenarioError, match="WorkloadSpec would generate about 1e\\+301 rows"):
        huge.generate(np.random.default_rng(0), 0)
    burst = RecordsSpec("bursty", bursts=(Burst(0.0, 10**12),))
    with pytest.raises(ScenarioError, match="RecordsSpec would generate about 1e\\+12 rows"):
        burst.generate(np.random.default_rng(0), "s")


def test_the_row_limit_is_the_documented_one():
    assert MAX_GENERATED_ROWS == 10**9
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()
    assert "10^9" in docs


def test_long_tailed_durations_are_capped_at_the_engines_limit(tmp_path):
    """A lognormal with a huge sigma draws ``inf``; the engine would refuse it at submit."""
    drawn = Duration("lognormal", 1.0, 1000.0).sample(np.random.default_rng(1), 10_000)
    assert np.isfinite(drawn).all() and drawn.max() == 9e9
    small = Duration("lognormal", 0.1, 0.5).sample(np.random.default_rng(1), 1000)
    assert (small == np.random.default_rng(1).lognormal(np.log(0.1), 0.5, 1000)).all()
    text = TINY.replace('{dist = "fixed", s = 0.1}', '{dist = "lognormal", median_s = 1, sigma = 1000}')
    run = cli("run", str(write(tmp_path, text)), "-q")
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------------------------------------
# Output: encodings, pipes, full disks
# ---------------------------------------------------------------------------------------------

UNICODE = TINY.replace('name = "tiny"', 'name = "caf\u00e9 \u2014 \u00b5s"')


#: Terminals that cannot show the report's characters: an explicit encoding, and the C locale
#: without Python's UTF-8 mode (an old system's ``LANG=C``).
TERMINALS = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "LANG=C": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
               "PYTHONIOENCODING": ""},
}


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize("terminal", sorted(TERMINALS))
def test_an_ascii_terminal_gets_escapes(tmp_path, command, terminal):
    path = write(tmp_path, UNICODE)
    extra = ("-q",) if command == "run" else ()
    encoding = "latin-1" if terminal == "latin-1" else "ascii"
    run = cli(command, str(path), *extra, env=TERMINALS[terminal], encoding=encoding)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    if command == "validate":
        assert "\\u2014" in run.stdout


def test_json_output_is_ascii_already(tmp_path):
    run = cli("run", str(write(tmp_path, UNICODE)), "--json", "-q",
              env={"PYTHONIOENCODING": "ascii"})
    assert run.returncode == 0, run.stderr
    assert "caf\\u00e9" in run.stdout


def test_printable_leaves_text_the_stream_can_show_unchanged():
    text = "caf\u00e9 \u2014 \u00b5s \u00d7 2^(i\u22121)"
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert printable(text, utf8) is text
    ascii_ = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert printable(text, ascii_) == "caf\\xe9 \\u2014 \\xb5s \\xd7 2^(i\\u22121)"


def test_a_closed_pipe_exits_quietly(tmp_path):
    """``lambda-core run | head``: the reader is gone before the report is written."""
    path = write(tmp_path, TINY)
    child = subprocess.Popen([sys.executable, "-m", "lambda_core", "run", str(path), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(60) == EXIT_CODES["closed pipe"] == 141
    assert err == b""


def test_a_closed_stderr_pipe_keeps_the_exit_code(tmp_path):
    """``lambda-core validate x 2>&1 | head -0``: the error line cannot be written either."""
    child = subprocess.Popen([sys.executable, "-m", "lambda_core", "validate", str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stderr.close()
    assert child.wait(60) == 1
    assert child.stdout.read() == b""


def test_out_of_memory_is_one_line(capsys, monkeypatch, tmp_path):
    def exhausted(args: object) -> int:
        raise MemoryError

    monkeypatch.setattr(_cli, "_run", exhausted)
    assert main(["run", str(write(tmp_path, TINY))]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: out of memory") and err.count("\n") == 1


def test_a_full_disk_is_one_line(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "lambda_core", "run",
                              str(write(tmp_path, TINY)), "-q"],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr == "error: No space left on device\n"  # and no second error at exit


def test_a_closed_stdout_is_one_line(tmp_path):
    """``lambda-core validate x >&-``: Python starts with ``sys.stdout = None``."""
    path = write(tmp_path, TINY)
    run = subprocess.run([sys.executable, "-m", "lambda_core", "validate", str(path)],
                         stderr=subprocess.PIPE, text=True, timeout=60,
                         preexec_fn=lambda: os.close(1))
    assert run.returncode == 1
    assert run.stderr == "error: cannot write the report: standard output is closed\n"


def test_stdout_closed_after_start_is_one_line(tmp_path):
    """fd 1 closed under a live ``sys.stdout``: the report fails at the flush."""
    path = write(tmp_path, TINY)
    run = subprocess.run(
        [sys.executable, "-c",
         "import os, sys; os.close(1); from lambda_core._cli import main; "
         "sys.exit(main(sys.argv[1:]))", "validate", str(path)],
        stderr=subprocess.PIPE, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr == "error: Bad file descriptor\n"  # and no second error at exit


# ---------------------------------------------------------------------------------------------
# Interrupts and bugs
# ---------------------------------------------------------------------------------------------


def test_ctrl_c_is_one_short_line(capsys, monkeypatch, tmp_path):
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "_run", interrupted)
    assert main(["run", str(write(tmp_path, TINY))]) == EXIT_CODES["interrupted"] == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_sigint_from_the_shell(tmp_path):
    text = TINY.replace("rate_per_s = 5", "rate_per_s = 2e6")  # 2e7 requests: seconds of work
    path = write(tmp_path, text)
    code = ("import sys; from lambda_core._cli import main; "
            "print('ready', file=sys.stderr, flush=True); sys.exit(main(sys.argv[1:]))")
    child = subprocess.Popen([sys.executable, "-c", code, "run", str(path), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    assert child.stderr.readline() == "ready\n"
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    try:
        code_ = child.wait(60)
    finally:
        child.kill()
    assert code_ == 130
    assert child.stderr.read() == "interrupted\n"


def test_a_bug_still_shows_its_traceback(monkeypatch, tmp_path):
    def broken(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_cli, "_validate", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["validate", str(write(tmp_path, TINY))])


def test_exit_codes_are_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    section = docs.split("## The command line", 1)[1]
    for code in EXIT_CODES.values():
        assert f"`{code}`" in section
