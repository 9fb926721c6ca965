"""A trace written as each supported tester's text export, laid out as the real files of tests/data/cyclers
(Neware's nested CSV, Maccor's tab-separated text with |I| and a State column) or as documented (BioLogic .mpt,
Arbin and Landt CSV), for the round trip in ``bench.cycler_ingest``."""

from __future__ import annotations

import io

import numpy as np
import polars as pl


def _duration(time_s: np.ndarray, days: bool) -> pl.Series:
    """'Nd hh:mm:ss.ss' (Maccor) or 'hh:mm:ss' with hours past 24 (Neware, whole seconds)."""
    whole = np.floor(time_s + 1e-9)
    frame = pl.DataFrame({"d": (whole // 86400).astype(np.int64), "h": (whole // 3600).astype(np.int64),
                          "m": ((whole % 3600) // 60).astype(np.int64), "s": (whole % 60).astype(np.int64),
                          "f": np.round(time_s - whole, 2)})
    two = {name: pl.col(name).cast(pl.String).str.zfill(2) for name in ("m", "s")}
    if days:
        text = pl.format("  {}d {}:{}:{}", pl.col("d"), (pl.col("h") % 24).cast(pl.String).str.zfill(2), two["m"],
                         pl.col("s") + pl.col("f"))
    else:
        text = pl.format("{}:{}:{}", pl.col("h").cast(pl.String).str.zfill(2), two["m"], two["s"])
    return frame.select(text.alias("t")).to_series()


def _csv(frame: pl.DataFrame, separator: str = ",") -> bytes:
    out = io.BytesIO()
    frame.write_csv(out, separator=separator, float_precision=6, quote_style="never")
    return out.getvalue()


def write_export(fmt: str, time_s: np.ndarray, current_a: np.ndarray, voltage_v: np.ndarray) -> tuple[str, bytes]:
    """The file name and bytes of the trace in format ``fmt`` (one of FORMATS)."""
    n = time_s.size
    if fmt == "biologic_mpt":
        body = _csv(pl.DataFrame({"mode": np.ones(n, np.int8), "time/s": time_s, "Ewe/V": voltage_v, "I/mA": 1e3 * current_a}), "\t")
        preamble = b"EC-Lab ASCII FILE\r\nNb header lines : 4\r\n\r\nGalvanostatic Cycling with Potential Limitation\r\n"
        return "cell.mpt", preamble + body
    if fmt == "neware_csv":
        records = _csv(pl.DataFrame({"a": [""] * n, "b": [""] * n, "DataPoint": np.arange(1, n + 1),
                                     "Time": _duration(time_s, days=False), "Total Time": _duration(time_s, days=False),
                                     "Current(A)": current_a, "Voltage(V)": voltage_v}))
        header = (b"Cycle Index,Chg. Cap.(Ah),DChg. Cap.(Ah)\n,Step Index,Step Number,Step Type,Step Time\n"
                  b",,DataPoint,Time,Total Time,Current(A),Voltage(V)\n1,0,0\n,1,1,CC Chg,00:00:00\n")
        return "cell.csv", header + records.split(b"\n", 1)[1]
    if fmt == "arbin_csv":
        return "cell.csv", _csv(pl.DataFrame({"Data_Point": np.arange(1, n + 1), "Test_Time(s)": time_s,
                                              "Current(A)": current_a, "Voltage(V)": voltage_v}))
    if fmt == "maccor_txt":
        state = np.where(current_a > 0, "C", np.where(current_a < 0, "D", "R"))
        body = _csv(pl.DataFrame({"Rec#": np.arange(1, n + 1), "Cyc#": np.zeros(n, np.int64), "Step": np.ones(n, np.int64),
                                  "TestTime": _duration(time_s, days=True), "Amps": np.abs(current_a), "Volts": voltage_v,
                                  "State": state}), "\t")
        preamble = b"Today's Date:\t07 December 2026\tDate of Test:\t01 December 2026\nFilename:\tcell\tTester Channel:\t1\nProcedure:\tplate_strip.000\tDescription:\n"
        return "cell.txt", preamble + body
    if fmt == "landt_csv":
        return "cell.csv", _csv(pl.DataFrame({"Index": np.arange(1, n + 1), "TestTime/Sec.": time_s,
                                              "Current/mA": 1e3 * current_a, "Voltage/V": voltage_v}))
    raise ValueError(f"unknown export format {fmt}")


FORMATS = ("biologic_mpt", "neware_csv", "arbin_csv", "maccor_txt", "landt_csv")
