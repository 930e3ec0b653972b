import json

import pytest

from highlights.catalog import CatalogError, find_catalog, load_catalog


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_csv_catalog_with_optional_columns(tmp_path):
    path = write(tmp_path, "c.csv", "id,name,aliases,price,currency,url\n"
                 "aurora,Aurora smart watch,Aurora|Aurora watch,\"49,99\",USD,https://x\n"
                 "lamp,Lumo desk lamp,,,,\n\n")
    products = load_catalog(path)
    assert [p.id for p in products] == ["aurora", "lamp"]
    assert products[0].aliases == ["Aurora", "Aurora watch"] and products[0].price == 49.99
    assert products[1].aliases == [] and products[1].price is None and products[1].url is None


def test_json_catalog(tmp_path):
    path = write(tmp_path, "c.json", json.dumps([{"id": "a", "name": "Наушники", "aliases": ["наушники X"]}]))
    assert load_catalog(path)[0].name == "Наушники"


@pytest.mark.parametrize("text, message", [
    ("id,name\na,b\n", "line 1: missing column(s) aliases"),
    ("id,name,aliases\na,A,\na,B,\n", "line 3: duplicate id 'a'"),
    ("id,name,aliases,price\na,A,,cheap\n", "line 2: price 'cheap' is not a number"),
    ("id,name,aliases\na,A,x,extra\n", "line 2: more fields than columns"),
    ("id,name,aliases\n,A,\n", "line 2: empty id"),
    ("id,name,aliases\nb,,\n", "line 2: empty name"),
    ("id,name,aliases\n", "no products"),
])
def test_malformed_csv_names_the_line(tmp_path, text, message):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_not_utf8_and_bad_json(tmp_path):
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_catalog(write(tmp_path, "l1.csv", "id,name,aliases\na,Caf\xe9,\n", encoding="latin-1"))
    with pytest.raises(CatalogError, match="line 2: not valid JSON"):
        load_catalog(write(tmp_path, "b.json", '[\n{"id": }]'))
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.csv")


def test_catalog_is_found_beside_the_video(tmp_path):
    video = tmp_path / "show.mp4"
    video.write_bytes(b"")
    assert find_catalog(video) is None
    write(tmp_path, "catalog.csv", "id,name,aliases\na,A,\n")
    assert find_catalog(video).name == "catalog.csv"
    write(tmp_path, "show.catalog.json", "[]")
    assert find_catalog(video).name == "show.catalog.json"


def test_link_numbers_are_read_and_checked(tmp_path):
    path = write(tmp_path, "c.csv", "id,name,aliases,link\naurora,Aurora smart watch,,012\nlamp,Lumo desk lamp,,\n")
    assert [p.link for p in load_catalog(path)] == ["12", None]
    assert load_catalog(write(tmp_path, "c.json", json.dumps([{"id": "a", "name": "A", "link": 7}])))[0].link == "7"
    for text, message in (("id,name,aliases,link\na,A,,twelve\n", "line 2: link 'twelve' is not a whole number"),
                          ("id,name,aliases,link\na,A,,5\nb,B,,5\n", "line 3: link 5 is already 'a'")):
        with pytest.raises(CatalogError, match=message):
            load_catalog(write(tmp_path, "bad.csv", text))
