"""The recap view-model: what the page shows is counted and named in Python."""

from __future__ import annotations

from highlights.decisions import ClipDecision, Decisions
from highlights.recap_view import aspect_ratio, price_text, recap_view
from highlights.records import Clip, Manifest, MediaInfo, Mention, Product, SubtitleFiles, Transcript


def _manifest(rotation: int = 0) -> Manifest:
    media = MediaInfo("in.mp4", "mp4", 90.0, 1, True, True, "h264", 1920, 1080, 25.0, rotation)
    products = [Product("w", "Watch", price=49.0, currency="USD"), Product("l", "Lamp", price=29.9),
                Product("f", "Fan")]
    mentions = [Mention("w", 1.0, 1.5, "watch", "Watch", 100.0), Mention("w", 5.0, 5.5, "watch", "Watch", 100.0),
                Mention("l", 40.0, 40.5, "lamp", "Lamp", 100.0), Mention("x", 60.0, 60.5, "gone", "Gone", 90.0)]
    clips = [Clip("clip-01-w", 0.5, 20.0, "clips/a.mp4", ["w", "w", "l"], 3.0, [], "clips/a.jpg",
                  subtitles={"ru": SubtitleFiles("a.ru.srt", "a.ru.vtt")}),
             Clip("clip-02-l", 30.0, 50.0, "clips/b.mp4", ["l"], 2.0, [], "clips/b.jpg",
                  subtitles={"en": SubtitleFiles("b.en.srt", "b.en.vtt"), "ru": SubtitleFiles("b.ru.srt", "b.ru.vtt")})]
    return Manifest("in.mp4", "in", 0.0, "en", media, mentions=mentions, clips=clips, products=products,
                    subtitles={"en": SubtitleFiles("s.en.srt", "s.en.vtt")})


def test_view_counts_names_and_orders_what_the_page_shows():
    decisions = Decisions({"clip-02-l": ClipDecision("rejected", title="Lamp")})
    view = recap_view(_manifest(), Transcript("en", 1.0, 90.0, "base"), None, decisions)
    assert view.duration == 90.0  # the manifest's 0 falls back to the transcript's
    assert [(p.id, p.price, p.mentions, p.clips) for p in view.products] == [
        ("w", "49 USD", 2, 1), ("l", "29.90", 1, 2)]  # a product listed twice in a clip counts once; Fan unnamed
    assert [m.product_name for m in view.mentions] == ["Watch", "Watch", "Lamp", "x"]
    assert [(c.number, c.product_names, c.status, c.title) for c in view.clips] == [
        (1, ["Watch", "Watch", "Lamp"], None, None), (2, ["Lamp"], "rejected", "Lamp")]
    assert view.subtitle_languages == ["en", "ru"] and view.show_replay


def test_price_and_aspect():
    assert price_text(None, "USD") is None and price_text(19.0, None) == "19" and price_text(0.5, "EUR") == "0.50 EUR"
    assert aspect_ratio(_manifest()) == "1920 / 1080" and aspect_ratio(_manifest(rotation=90)) == "1080 / 1920"
