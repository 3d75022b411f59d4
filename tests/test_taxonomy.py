from pathlib import Path

import pytest

from coder.errors import DataFileError
from coder.taxonomy import CameoTaxonomy, penta_class_of_root, quad_class_of_root


def test_all_316_codes_with_levels(taxonomy):
    assert len(taxonomy) == 316
    assert taxonomy.counts() == {"root": 20, "base": 149, "leaf": 147}
    assert taxonomy.roots() == [f"{i:02d}" for i in range(1, 21)]


def test_codes_are_strings_with_leading_zeros(taxonomy):
    ec = taxonomy["0312"]
    assert (ec.root, ec.base, ec.quad_class, ec.penta_class) == ("03", "031", 1, 1)
    assert taxonomy["062"].quad_class == 2
    assert "312" not in taxonomy


def test_demand_block_uses_manual_meaning(taxonomy):
    # The project's names follow the CAMEO 1.1b3 manual; GDELT's relabelled name is kept beside it.
    assert taxonomy["105"].name.startswith("Demand that target yields")
    assert taxonomy["105"].gdelt_name == "Demand mediation"


def test_codes_missing_from_gdelt_inherit_goldstein(taxonomy):
    for code in ("155", "176", "1834", "1951", "1952"):
        assert taxonomy[code].gdelt_name == ""
    assert taxonomy["1951"].goldstein == taxonomy["195"].goldstein


@pytest.mark.parametrize(
    "root,quad,penta", [("01", 1, 0), ("05", 1, 1), ("09", 2, 3), ("14", 3, 4), ("16", 4, 3), ("20", 4, 4)]
)
def test_class_conventions(root, quad, penta):
    assert quad_class_of_root(root) == quad
    assert penta_class_of_root(root) == penta


def test_root_codes_fold_into_unspecified_base(taxonomy):
    assert taxonomy.class_code("19") == "190"
    assert taxonomy.class_code("1951") == "1951"


def test_bad_file_names_path_and_line(tmp_path: Path):
    src = (Path(__file__).parent.parent / "labels" / "cameo" / "eventcodes.csv").read_text().splitlines()
    src[5] = src[5].replace(",1,0", ",3,0", 1) if ",1,0" in src[5] else src[5] + "x"
    bad = tmp_path / "eventcodes.csv"
    bad.write_text("\n".join(src) + "\n")
    with pytest.raises(DataFileError) as e:
        CameoTaxonomy.load(bad)
    assert e.value.line == 6 and str(bad) in str(e.value)
