"""Tester files through the readers the upload uses: the five real files of tests/data/cyclers (see its README)
open with the right columns, units and time base and are refused by the analysis (none is a symmetric cell);
bad files are refused naming the problem."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from interlayer.models.cycler_files import UnreadableFile, UnsupportedFormat, read_trace
from interlayer.models.cycler_trace import ProtocolRefused, analyse_trace

DATA = Path(__file__).parent / "data" / "cyclers"

# file: instrument, (time, current, voltage) columns, hours, current range (A), voltage range (V), refusal
REAL_FILES = {
    "maccor_001.txt": ("Maccor text export", ("TestTime", "Amps", "Volts"), 50.88, (-10.02, 1.503), (2.50, 4.201),
                       "full or half cell"),
    "nw_regular_export_ife_example.csv": ("Neware CSV export", ("Total Time", "Current(A)", "Voltage(V)"), 27.93,
                                          (-0.5, 0.5), (3.89, 4.701), "full or half cell"),
    "20260302_IFE_BTS85_2_9_8_1.ndax": ("Neware BTS (.ndax)", ("total_time_s", "current_mA", "voltage_V"), 70.26,
                                        (0.0, 0.1197), (0.20, 4.749), "never reverses"),
    "biol.mpr": ("BioLogic EC-Lab (.mpr)", ("time/s", "I/mA", "Ewe/V"), 21.15, (-1.15e-4, 3.26e-4), (0.123, 1.0),
                 "full or half cell"),
}


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_a_real_file_opens_with_its_columns_units_and_time_base_and_is_refused_as_not_symmetric(name):
    if name.endswith(".mpr"):
        pytest.importorskip("galvani", reason="BioLogic .mpr needs the optional GPL reader (pip install -e '.[biologic]')")
    instrument, columns, hours, amps, volts, refusal = REAL_FILES[name]
    trace = read_trace(name, (DATA / name).read_bytes())
    assert (trace.instrument, trace.columns) == (instrument, columns)
    assert trace.time_s[0] == 0.0 and np.all(np.diff(trace.time_s) >= 0)
    assert trace.time_s[-1] / 3600.0 == pytest.approx(hours, abs=0.01)
    assert (trace.current_a.min(), trace.current_a.max()) == pytest.approx(amps, rel=0.01, abs=1e-6)
    assert (trace.voltage_v.min(), trace.voltage_v.max()) == pytest.approx(volts, rel=0.01)
    with pytest.raises(ProtocolRefused, match=refusal):
        analyse_trace(trace.time_s, trace.current_a, trace.voltage_v, 1.0)


def test_the_real_arbin_res_file_is_refused_naming_the_csv_export():
    with pytest.raises(UnsupportedFormat, match="export the test as CSV from MITS Pro"):
        read_trace("20160805_test001_45_cc_01.res", (DATA / "20160805_test001_45_cc_01.res").read_bytes())


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.mark.parametrize("name, data, error, words", [
    ("cell.mpt", b"", UnreadableFile, "is empty"),
    ("cell.mpr", PNG, UnreadableFile, "not a BioLogic .mpr"),
    ("cell.ndax", PNG, UnreadableFile, "not a Neware .ndax"),
    ("cell.csv", PNG, UnreadableFile, "binary data"),
    ("cell.png", PNG, UnsupportedFormat, "unknown format .png"),
    ("cell.xlsx", b"PK", UnsupportedFormat, "save the raw-data sheet as CSV"),
    ("cell.csv", b"a,b,c\n1,2,3\n", UnsupportedFormat, "no header naming time, current and voltage"),
    ("cell.csv", b"Test_Time(s),Current(A),Voltage(V)\n", UnreadableFile, "no data rows"),
])
def test_a_bad_file_is_refused_naming_the_problem(name, data, error, words):
    with pytest.raises(error, match=words):
        read_trace(name, data)


def test_a_truncated_ndax_is_refused_as_unreadable():
    data = (DATA / "20260302_IFE_BTS85_2_9_8_1.ndax").read_bytes()
    with pytest.raises(UnreadableFile, match="cannot be read as Neware .ndax|not a Neware .ndax"):
        read_trace("cell.ndax", data[: len(data) // 2])
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("step.xml", "<no/>")
    with pytest.raises(UnreadableFile, match="cannot be read as Neware .ndax"):
        read_trace("cell.ndax", broken.getvalue())
