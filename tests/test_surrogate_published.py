"""Published cells: the paper's set as shipped, its cells as related measurements, and row-by-row validation."""

import pytest

from interlayer.models.errors import InterlayerError
from interlayer.surrogate.condition import Condition
from interlayer.surrogate.measurement import MeasurementError
from interlayer.surrogate.published import (
    COLUMNS,
    PublishedDataError,
    UnknownPublishedSet,
    builtin_sets,
    load_published,
    parse_published,
    parse_rows,
    related_measurements,
)

HEADER = ",".join(COLUMNS)
GOOD = 'Li@(2ALD-2MLD)25,Li,2,1,500,stopped,80,doi:10.1002/adma.202301414,Fig. 2d,stated in text'


def test_the_paper_set_holds_every_cell_the_paper_states_a_number_for():
    cells = load_published("paper")
    assert builtin_sets() == ("paper",)
    table = {(str(c.recipe), c.condition.current_ma_cm2, c.condition.capacity_mah_cm2): (c.lifetime_h, c.state, c.overpotential_mv)
             for c in cells}
    # the numbers of the paper's Section 2 (Figure 2a-d): lifetimes, lower bounds of cells still cycling, overpotentials
    assert table == {
        ("Na@bare", 1.0, 1.0): (100.0, "shorted", 30.0),
        ("Na@(1ALD-1MLD)10", 1.0, 1.0): (2000.0, "stopped", 30.0),
        ("Na@bare", 3.0, 1.0): (100.0, "shorted", None),
        ("Na@(1ALD-1MLD)10", 3.0, 1.0): (1500.0, "stopped", 30.0),
        ("Na@(1ALD-1MLD)10", 1.0, 2.0): (1500.0, "stopped", 30.0),
        ("Li@bare", 2.0, 1.0): (270.0, "shorted", 100.0),
        ("Li@(2ALD-2MLD)25", 2.0, 1.0): (500.0, "stopped", 80.0),
    }
    assert {c.reference for c in cells} == {"doi:10.1002/adma.202301414"}
    assert all(c.where.startswith("Sec. 2") and "Figure 2" in c.where and c.how for c in cells)
    # the one number not stated as a value (an upper bound) is labelled an estimate
    estimated = [c for c in cells if "ESTIMATE" in c.how]
    assert [(str(c.recipe), c.condition.current_ma_cm2) for c in estimated] == [("Na@bare", 3.0)]


def test_coated_cells_become_related_measurements_with_condition_and_censoring():
    cells = load_published()
    li = related_measurements(cells, "Li")
    assert len(li) == 1
    (cell,) = li
    assert str(cell.recipe) == "Li@(2ALD-2MLD)25" and cell.lifetime_h == 500.0 and cell.overpotential_mv == 80.0
    assert cell.state == "stopped" and cell.censored
    assert cell.condition == Condition(2.0, 1.0)
    na = related_measurements(cells, "Na")
    assert sorted((m.condition.current_ma_cm2, m.condition.capacity_mah_cm2, m.lifetime_h) for m in na) == \
        [(1.0, 1.0, 2000.0), (1.0, 2.0, 1500.0), (3.0, 1.0, 1500.0)]
    assert len(related_measurements(cells)) == 4  # the three bare cells are references, not coatings
    bare = next(c for c in cells if c.recipe.is_bare)
    with pytest.raises(MeasurementError, match="not a coating recipe"):
        bare.measurement()


def test_a_cell_survives_its_row_round_trip():
    (cell,) = parse_published(f"{HEADER}\n{GOOD}\n")
    assert parse_rows([cell.as_row()]) == [cell]
    (no_overpotential,) = parse_published(f"{HEADER}\nNa@bare,Na,3,1,100,shorted,,doi:x,Fig. 2b,estimate\n")
    assert no_overpotential.overpotential_mv is None and not no_overpotential.censored
    (without_metal_prefix,) = parse_published(f"{HEADER}\n(1ALD-1MLD)10,Na,1,1,2000,running,,doi:x,Fig. 2a,stated\n")
    assert str(without_metal_prefix.recipe) == "Na@(1ALD-1MLD)10" and without_metal_prefix.censored


@pytest.mark.parametrize("row, column, words", [
    ("Li@(2ALD-MLD)25,Li,2,1,500,stopped,80,doi:x,Fig. 2d,stated", "recipe", "malformed"),
    ("Li@(2ALD-2MLD)25,Xe,2,1,500,stopped,80,doi:x,Fig. 2d,stated", "metal", "Xe"),
    ("Na@(2ALD-2MLD)25,Li,2,1,500,stopped,80,doi:x,Fig. 2d,stated", "recipe", "names metal 'Na'"),
    ("Li@(2ALD-2MLD)25,Li,2,1,-500,stopped,80,doi:x,Fig. 2d,stated", "lifetime_h", "positive finite"),
    ("Li@(2ALD-2MLD)25,Li,2,1,nan,stopped,80,doi:x,Fig. 2d,stated", "lifetime_h", "positive finite"),
    ("Li@(2ALD-2MLD)25,Li,2,1,,stopped,80,doi:x,Fig. 2d,stated", "lifetime_h", "empty"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,dead,80,doi:x,Fig. 2d,stated", "state", "unknown state 'dead'"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,failed,80,doi:x,Fig. 2d,stated", "state", "unknown state 'failed'"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,stopped,80,,Fig. 2d,stated", "reference", "names its source"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,stopped,80,doi:x,,stated", "where", "empty"),
    ("Li@(2ALD-2MLD)25,Li,0,1,500,stopped,80,doi:x,Fig. 2d,stated", "current_ma_cm2", "positive finite"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,stopped,-80,doi:x,Fig. 2d,stated", "overpotential_mv", "positive finite"),
    ("Li@(2ALD-2MLD)25,Li,2,1,500,stopped,80,doi:x,Fig. 2d,stated,extra", "(extra cells)", "1 more cell"),
])
def test_a_bad_row_names_its_row_and_column(row, column, words):
    with pytest.raises(PublishedDataError) as caught:
        parse_published(f"{HEADER}\n{GOOD}\n{row}\n")
    assert isinstance(caught.value, InterlayerError)
    assert (caught.value.row, caught.value.column) == (2, column)
    assert words in str(caught.value) and str(caught.value).startswith(f"row 2, column {column}: ")


def test_every_bad_cell_is_reported_at_once_and_the_header_is_row_0():
    bad = "Xe@bare,Xe,2,1,-1,dead,80,doi:x,Fig. 2d,stated"
    with pytest.raises(PublishedDataError) as caught:
        parse_published(f"{HEADER}\n{bad}\n{GOOD}\n{bad}\n")
    assert [(p.row, p.column) for p in caught.value.problems] == \
        [(1, "metal"), (1, "recipe"), (1, "lifetime_h"), (1, "state"), (3, "metal"), (3, "recipe"), (3, "lifetime_h"), (3, "state")]
    assert str(caught.value).endswith("; and 3 more")
    with pytest.raises(PublishedDataError) as caught:
        parse_published("recipe,metal,lifetime,state\nLi@bare,Li,270,shorted\n")
    assert [(p.row, p.column) for p in caught.value.problems] == \
        [(0, "current_ma_cm2"), (0, "capacity_mah_cm2"), (0, "lifetime_h"), (0, "reference"), (0, "where"), (0, "how"),
         (0, "lifetime")]
    with pytest.raises(PublishedDataError, match="row 1, column recipe: the file has a header but no cells"):
        parse_published(HEADER + "\n")
    with pytest.raises(PublishedDataError, match="column recipe: missing column"):
        parse_published("")
    with pytest.raises(PublishedDataError, match=r"^row 2, column \(file\): not readable as CSV"):
        parse_published(f"{HEADER}\n{GOOD}\nLi@ba\rre,Li\n")


def test_an_unknown_set_is_refused_with_the_names_that_exist():
    with pytest.raises(UnknownPublishedSet, match="'nature2024'.*built in: paper"):
        load_published("nature2024")
