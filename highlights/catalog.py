"""The seller's product catalog: CSV (`id,name,aliases[,price,currency,url,image,link]`) or
JSON (a list of objects with the same fields).  Aliases in CSV are separated by `|`.  `link` is
the item's number in the live room's shopping bag: hosts say "link 12" or "номер 12" instead
of the name, and the mentions stage reads that as the product."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from .records import Product

REQUIRED = ("id", "name", "aliases")
OPTIONAL = ("price", "currency", "url", "image", "link")


class CatalogError(ValueError):
    """A catalog that cannot be used; the message names the file and the line."""


def load_catalog(path: str | Path) -> list[Product]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: catalog is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        products = _from_json(path, text)
    else:
        products = _from_csv(path, text)
    seen: dict[str, str] = {}
    links: dict[str, str] = {}
    for product, where in products:
        if product.id in seen:
            raise CatalogError(f"{path}: {where}: duplicate id {product.id!r} (first at {seen[product.id]})")
        seen[product.id] = where
        if product.link is not None:
            if product.link in links:  # "link 5" must name one product
                raise CatalogError(f"{path}: {where}: link {product.link} is already {links[product.link]!r}")
            links[product.link] = product.id
    if not products:
        raise CatalogError(f"{path}: catalog has no products")
    return [product for product, _ in products]


def find_catalog(video: Path) -> Path | None:
    """The catalog that goes with a replay when none is given: `<stem>.catalog.csv|json`
    beside it, else `catalog.csv|json` in its folder."""
    for name in (f"{video.stem}.catalog.csv", f"{video.stem}.catalog.json", "catalog.csv", "catalog.json"):
        candidate = video.parent / name
        if candidate.is_file():
            return candidate
    return None


def _from_csv(path: Path, text: str) -> list[tuple[Product, str]]:
    reader = csv.DictReader(text.splitlines(), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise CatalogError(f"{path}: line 1: {exc}") from None
    header = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise CatalogError(f"{path}: line 1: missing column(s) {', '.join(missing)} (need id,name,aliases)")
    reader.fieldnames = header
    products = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row:
                raise CatalogError(f"{path}: {where}: more fields than columns in the header")
            if not any((value or "").strip() for value in row.values()):
                continue
            fields = {key: (value or "").strip() for key, value in row.items()}
            fields["aliases"] = [alias.strip() for alias in fields["aliases"].split("|") if alias.strip()]
            products.append((_product(path, where, fields), where))
    except csv.Error as exc:
        raise CatalogError(f"{path}: line {reader.line_num}: {exc}") from None
    return products


def _from_json(path: Path, text: str) -> list[tuple[Product, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and "products" in data:
        data = data["products"]
    if not isinstance(data, list):
        raise CatalogError(f"{path}: expected a list of products")
    products = []
    for index, item in enumerate(data):
        where = f"product #{index + 1}"
        if not isinstance(item, dict):
            raise CatalogError(f"{path}: {where}: expected an object")
        aliases = item.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [alias.strip() for alias in aliases.split("|") if alias.strip()]
        fields = {**item, "aliases": aliases}
        products.append((_product(path, where, fields), where))
    return products


def _product(path: Path, where: str, fields: dict) -> Product:
    product_id = str(fields.get("id") or "").strip()
    name = str(fields.get("name") or "").strip()
    if not product_id:
        raise CatalogError(f"{path}: {where}: empty id")
    if not name:
        raise CatalogError(f"{path}: {where}: empty name for product {product_id!r}")
    aliases = fields.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise CatalogError(f"{path}: {where}: aliases must be text")
    price = fields.get("price")
    if price in ("", None):
        price = None
    else:
        try:
            price = float(str(price).replace(",", "."))
        except ValueError:
            raise CatalogError(f"{path}: {where}: price {price!r} is not a number") from None
        if not math.isfinite(price):  # "nan", "inf": float() takes them, JSON and prices do not
            raise CatalogError(f"{path}: {where}: price {fields.get('price')!r} is not a number")
        if price < 0:
            raise CatalogError(f"{path}: {where}: negative price {price}")
    optional = {key: (str(fields[key]).strip() or None) if fields.get(key) not in (None, "") else None
                for key in ("currency", "url", "image", "link")}
    link = optional["link"]
    if link is not None:
        # Said as a number ("link twelve", "No. 12"), so stored as one: "012" is "12".
        if isinstance(fields.get("link"), bool) or not link.isdigit():
            raise CatalogError(f"{path}: {where}: link {link!r} is not a whole number")
        optional["link"] = str(int(link))
    return Product(id=product_id, name=name, aliases=[a.strip() for a in aliases if a.strip()], price=price, **optional)
