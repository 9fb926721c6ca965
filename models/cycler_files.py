"""Battery-tester files to arrays of time (s), current (A) and voltage (V), through maintained readers.

Binary formats go through their maintained readers: Neware .nda/.ndax through fastnda (BSD-3-Clause, in the
default install) and BioLogic .mpr through galvani (GPL-3.0, the optional ``biologic`` extra). Text exports are
tables that polars (MIT) reads; each format's columns are named below with their units. Arbin .res (a Microsoft
Access database) has no maintained reader that runs without mdbtools or an ODBC driver, and Excel workbooks need
a sheet chosen: both are refused with the export to use instead.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata

import numpy as np

from .errors import InterlayerError


class UnsupportedFormat(InterlayerError):
    """A file no supported reader handles; the message names the export to use instead."""


class UnreadableFile(InterlayerError):
    """A file of a supported format whose content cannot be read (empty, truncated, renamed, missing columns)."""


@dataclass
class Trace:
    time_s: np.ndarray
    current_a: np.ndarray
    voltage_v: np.ndarray
    instrument: str
    reader: str
    # the file's columns read as time, current and voltage, with their units
    columns: tuple[str, str, str]


@dataclass(frozen=True)
class TextFormat:
    """A text export: its columns for time, current and voltage, the scale of each to s, A, V."""

    instrument: str
    time: str
    current: str
    voltage: str
    current_to_a: float
    separator: str = ","


# Landt's layout is LANDdt's CSV export as documented by its manual's column names; no real file checked it.
TEXT_FORMATS = (
    TextFormat("BioLogic EC-Lab text (.mpt)", "time/s", "I/mA", "Ewe/V", 1e-3, "\t"),
    TextFormat("BioLogic EC-Lab text (.mpt)", "time/s", "<I>/mA", "Ewe/V", 1e-3, "\t"),
    TextFormat("Neware CSV export", "Total Time", "Current(A)", "Voltage(V)", 1.0),
    TextFormat("Neware CSV export", "Total Time", "Current(mA)", "Voltage(V)", 1e-3),
    TextFormat("Arbin CSV export", "Test_Time(s)", "Current(A)", "Voltage(V)", 1.0),
    TextFormat("Arbin CSV export", "Test Time (s)", "Current (A)", "Voltage (V)", 1.0),
    TextFormat("Maccor text export", "TestTime", "Amps", "Volts", 1.0, "\t"),
    TextFormat("Landt CSV export", "TestTime/Sec.", "Current/mA", "Voltage/V", 1e-3),
)

EXPORT_ADVICE = ("supported: BioLogic .mpr (with the biologic extra) or its .mpt text export, Neware .nda/.ndax or its "
                 "CSV export, Arbin CSV export, Maccor text export, Landt CSV export")
MAX_SAMPLES = 20_000_000


def _version(package: str) -> str:
    try:
        return f"{package} {metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return package


def read_trace(filename: str, data: bytes) -> Trace:
    """The trace in ``data``, a file named ``filename``. Raises UnsupportedFormat (with the export to use) or
    UnreadableFile (with what is wrong)."""
    extension = os.path.splitext(filename.lower())[1]
    if not data:
        raise UnreadableFile(f"{filename} is empty")
    if extension == ".res":
        raise UnsupportedFormat("Arbin .res is a Microsoft Access database that no maintained reader opens without mdbtools "
                                "or an ODBC driver: export the test as CSV from MITS Pro (Data Watcher, Export)")
    if extension in (".xlsx", ".xls"):
        raise UnsupportedFormat("an Excel workbook holds several sheets: save the raw-data sheet as CSV (Maccor, Landt and "
                                "Arbin exports alike)")
    if extension == ".mpr":
        return _read_mpr(filename, data)
    if extension in (".nda", ".ndax"):
        return _read_neware(filename, data, extension)
    if extension in (".mpt", ".csv", ".txt"):
        return read_text(filename, data)
    raise UnsupportedFormat(f"{filename}: unknown format {extension or '(no extension)'}; {EXPORT_ADVICE}")


def _read_mpr(filename: str, data: bytes) -> Trace:
    if not data.startswith(b"BIO-LOGIC MODULAR FILE"):
        raise UnreadableFile(f"{filename} is not a BioLogic .mpr file (it starts {data[:8]!r})")
    try:
        from galvani import BioLogic  # GPL-3.0: only with the optional biologic extra
    except ImportError:
        raise UnsupportedFormat("BioLogic .mpr needs the optional GPL-3.0 reader galvani (pip install 'interlayer[biologic]'); "
                                "or export the file as text (.mpt) from EC-Lab") from None
    try:
        table = BioLogic.MPRfile(io.BytesIO(data)).data
    except Exception as error:  # a corrupt or truncated file raises whatever the parser met
        raise UnreadableFile(f"{filename} cannot be read as BioLogic .mpr: {type(error).__name__}: {error}") from None
    names = table.dtype.names
    current = next((name for name in ("I/mA", "<I>/mA") if name in names), None)
    if current is None or "Ewe/V" not in names:
        raise UnreadableFile(f"{filename} has no current (I/mA) and working-electrode voltage (Ewe/V): not a cycling record")
    return Trace(np.asarray(table["time/s"], float), 1e-3 * np.asarray(table[current], float),
                 np.asarray(table["Ewe/V"], float), "BioLogic EC-Lab (.mpr)", _version("galvani"), ("time/s", current, "Ewe/V"))


def _read_neware(filename: str, data: bytes, extension: str) -> Trace:
    if extension == ".ndax" and not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFile(f"{filename} is not a Neware .ndax file (not a zip archive; it starts {data[:8]!r})")
    import fastnda

    with tempfile.TemporaryDirectory() as folder:  # fastnda reads a path
        path = os.path.join(folder, "upload" + extension)
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            frame = fastnda.read(path)
        except Exception as error:  # a corrupt or truncated file raises whatever the parser met
            raise UnreadableFile(f"{filename} cannot be read as Neware {extension}: {type(error).__name__}: {error}") from None
    return Trace(frame["total_time_s"].to_numpy().astype(float), 1e-3 * frame["current_mA"].to_numpy().astype(float),
                 frame["voltage_V"].to_numpy().astype(float), f"Neware BTS ({extension})", _version("fastnda"),
                 ("total_time_s", "current_mA", "voltage_V"))


def _header(data: bytes, filename: str) -> tuple[TextFormat, int, int, list[str]]:
    """The text format, the line number and byte offset just past its header line, and the header's names."""
    head = data[:200_000]
    if b"\x00" in head:
        raise UnreadableFile(f"{filename} holds binary data, not a text export")
    offset = 0
    for number, line in enumerate(head.split(b"\n")[:-1], start=1):
        offset += len(line) + 1
        text = line.decode("utf-8", "replace").rstrip("\r")
        for form in TEXT_FORMATS:
            names = [name.strip() for name in text.split(form.separator)]
            if {form.time, form.current, form.voltage} <= set(names):
                return form, number, offset, names
    raise UnsupportedFormat(f"{filename}: no header naming time, current and voltage columns of a known export; {EXPORT_ADVICE}")


def _seconds(column) -> np.ndarray:
    """Seconds from numbers or from durations written [D-]h:mm:ss[.f] or 'Nd hh:mm:ss[.f]' (hours may pass 24)."""
    import polars as pl

    if column.dtype == pl.Float64:
        return column.fill_null(np.nan).to_numpy()
    numbers = column.str.strip_chars().cast(pl.Float64, strict=False)
    if numbers.null_count() <= column.null_count():
        return numbers.fill_null(np.nan).to_numpy()
    # "[Nd |N-]hh:mm:ss[.f]" split at its colons: a regular expression over the whole text costs 4x the CPU
    parts = column.str.split_exact(":", 2)
    head = parts.struct.field("field_0")

    def number(values):
        return values.cast(pl.Float64, strict=False)
    # t = 86400 d + 3600 h + 60 m + s; a row that is no duration stays NaN (the analysis names it)
    seconds = (86400.0 * number(head.str.extract(r"^\s*(\d+)(?:d|-)", 1)).fill_null(0.0)
               + 3600.0 * number(head.str.extract(r"(\d+)$", 1)) + 60.0 * number(parts.struct.field("field_1"))
               + number(parts.struct.field("field_2").str.strip_chars()))
    return seconds.fill_null(np.nan).to_numpy()


def _numbers(column) -> np.ndarray:
    import polars as pl

    if column.dtype == pl.Float64:
        return column.fill_null(np.nan).to_numpy()
    # EC-Lab writes decimal commas in some locales; a cell that is no number stays NaN (the analysis names its row)
    return column.str.strip_chars().str.replace(",", ".").cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()


def _table(source: bytes, skip_lines: int, form: TextFormat, indices: list[int], typed: bool, text: tuple[int, ...] = ()):
    """The wanted columns as read by polars: numbers parsed on the way when ``typed`` (a 2.6 million row export's
    strings would take several hundred MB more), else as text for the forgiving path; ``text`` columns stay text."""
    import polars as pl

    sample = next((line for line in source.split(b"\n", skip_lines + 2)[skip_lines:] if line.strip()), b"")
    fields = sample.decode("utf-8", "replace").split(form.separator)
    schema = {}
    for index in indices:
        value = fields[index] if index < len(fields) else ""
        # durations (h:mm:ss) and decimal commas are parsed as text
        numeric = typed and index not in text and ":" not in value and not (form.separator == "\t" and "," in value)
        schema[f"column_{index}"] = pl.Float64 if numeric else pl.String  # polars names a headless column by its index
    return pl.read_csv(source, has_header=False, skip_rows=skip_lines, separator=form.separator, columns=indices,
                        schema_overrides=schema, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy",
                        n_rows=MAX_SAMPLES, quote_char=None)


def _neware_records(data: bytes, offset: int) -> bytes:
    """The record rows (",,"-led) of Neware's nested export after ``offset``: the few cycle and step rows between
    them are cut out by position (a regular expression over 2.6 million lines takes 3x the CPU)."""
    text = np.frombuffer(data, np.uint8)
    starts = np.concatenate(([offset], np.flatnonzero(text[offset:] == 10) + offset + 1))
    starts = starts[starts < text.size - 1]
    record = (text[starts] == 44) & (text[starts + 1] == 44)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], record.astype(np.int8), [0]))))
    bounds = np.append(starts, text.size)
    return b"".join(data[bounds[a]:bounds[b]] for a, b in zip(edges[::2], edges[1::2]))


def read_text(filename: str, data: bytes) -> Trace:
    """A text export (BioLogic .mpt, Neware, Arbin, Landt CSV, Maccor text) read by its header's column names."""
    import polars as pl

    form, lines, offset, names = _header(data, filename)
    source, skip_lines = data, lines
    if names[0] == "" and names[1] == "":  # Neware's nested export: cycle and step rows between the records
        source, skip_lines = _neware_records(data, offset), 0
    if not source[offset if skip_lines else 0:].strip():
        raise UnreadableFile(f"{filename} has a {form.instrument} header and no data rows")
    wanted = [form.time, form.current, form.voltage] + (["State"] if "State" in names and form.separator == "\t" else [])
    indices = [names.index(name) for name in wanted]
    try:
        try:
            frame = _table(source, skip_lines, form, indices, True, tuple(indices[3:]))
        except pl.exceptions.ComputeError:  # a cell that is no number: read as text, where it becomes NaN
            frame = _table(source, skip_lines, form, indices, False)
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(f"{filename} cannot be read as {form.instrument}: {error}".splitlines()[0]) from None
    frame.columns = wanted
    current_a = form.current_to_a * _numbers(frame[form.current])
    if "State" in wanted:  # Maccor writes |I| and the direction in State: C charge, D discharge, R rest
        current_a = np.where(frame["State"].str.strip_chars().to_numpy() == "D", -current_a, current_a)
    return Trace(_seconds(frame[form.time]), current_a, _numbers(frame[form.voltage]), form.instrument, _version("polars"),
                 (form.time, form.current, form.voltage))
