"""highlights: live-shopping replays into product clips, subtitles and a recap page."""

__version__ = "0.2.0"
